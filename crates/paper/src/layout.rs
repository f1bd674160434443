//! Pagination: blocks → pages of placed items (positions in mm).

/// An item placed on a page (text line, table rule, photo, mark …), in mm.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    // Defined by the layout implementation.
}
