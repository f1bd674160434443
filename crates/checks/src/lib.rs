//! The rubric pre-checks: findings with evidence from OCR'd, classified pages and their marks
