//! Statute index (laws, regulations, rules by version) and statutory-citation parsing and checking
