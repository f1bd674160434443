//! anjuan-gen
