//! Statutory holidays: placeholder replaced below.
