//! anjuan-eval
