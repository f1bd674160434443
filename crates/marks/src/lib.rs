//! Seals, handwritten signatures and fingerprints on page images, found where the OCR'd labels say they belong
