//! anjuan-rubric
