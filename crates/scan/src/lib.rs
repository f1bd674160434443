//! anjuan-scan
