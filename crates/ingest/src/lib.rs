//! anjuan-ingest
