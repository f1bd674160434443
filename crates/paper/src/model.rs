//! The document model between the generator's two halves.
//!
//! `anjuan-gen` (what the documents say: the case, the wording, the defects)
//! builds [`DocSpec`]s; `anjuan-paper` (how paper looks: pagination, fonts, ruled
//! tables, handwriting, seals, fingerprints, page numbers, scan artefacts)
//! turns them into page images plus the ground-truth text lines of each page.
//!
//! Units: millimetres on an A4 page (210 × 297) for layout; the renderer maps
//! them to pixels at the page's DPI.

/// How a piece of text is put on paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ink {
    /// Printed by the office printer (Song/Fangsong-like font, black).
    Printed,
    /// Written by hand with a pen (Kai-like font with jitter, dark blue or black).
    Handwritten,
}

/// A run of text in one ink. Lines are made of runs: `被询问人签名：` printed,
/// then `李建国` handwritten.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    pub ink: Ink,
}

impl Run {
    pub fn printed(text: impl Into<String>) -> Run {
        Run {
            text: text.into(),
            ink: Ink::Printed,
        }
    }
    pub fn hand(text: impl Into<String>) -> Run {
        Run {
            text: text.into(),
            ink: Ink::Handwritten,
        }
    }
    /// Blank space as wide as `chars` Chinese characters (an empty field on a form).
    pub fn blank(chars: usize) -> Run {
        Run {
            text: "\u{3000}".repeat(chars),
            ink: Ink::Printed,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// A red round agency seal (公章): a ring, a five-pointed star, the agency's
/// name along the upper arc, optionally a line below the star.
#[derive(Debug, Clone, PartialEq)]
pub struct Seal {
    /// Text along the arc, e.g. 蒲县市场监督管理局.
    pub agency: String,
    /// Horizontal text under the star (often empty, or 行政执法专用章).
    pub label: String,
}

/// Marks that go with a signature.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SignatureMarks {
    /// A red fingerprint pressed beside (partly over) the signature.
    pub fingerprint: bool,
    /// The agency seal pressed over this line (usually the date line).
    pub seal: Option<Seal>,
}

/// One line of text made of runs, with optional marks over it.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    pub runs: Vec<Run>,
    pub align: Align,
    pub marks: SignatureMarks,
}

impl TextLine {
    pub fn new(runs: Vec<Run>) -> TextLine {
        TextLine {
            runs,
            align: Align::Left,
            marks: SignatureMarks::default(),
        }
    }
    pub fn aligned(mut self, align: Align) -> TextLine {
        self.align = align;
        self
    }
    pub fn with_marks(mut self, marks: SignatureMarks) -> TextLine {
        self.marks = marks;
        self
    }
}

/// A cell of a ruled form table.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Lines inside the cell; long lines wrap within the cell.
    pub lines: Vec<TextLine>,
    /// How many columns the cell spans (≥ 1).
    pub colspan: u8,
    /// Label cells (案由, 当事人 …) are centred vertically and horizontally.
    pub label: bool,
}

impl Cell {
    pub fn label(text: impl Into<String>) -> Cell {
        Cell {
            lines: vec![TextLine::new(vec![Run::printed(text)]).aligned(Align::Center)],
            colspan: 1,
            label: true,
        }
    }
    pub fn text(lines: Vec<TextLine>) -> Cell {
        Cell {
            lines,
            colspan: 1,
            label: false,
        }
    }
    pub fn span(mut self, colspan: u8) -> Cell {
        self.colspan = colspan;
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    pub cells: Vec<Cell>,
    /// Minimum row height in mm (opinion rows are tall: room for a signature).
    pub min_height: f32,
}

/// A ruled form table. A table may continue on the next page only between rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Relative column widths; they are scaled to the text width.
    pub columns: Vec<f32>,
    pub rows: Vec<TableRow>,
}

/// A block of a document's body, laid out top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Agency name above the title, centred, large (蒲县市场监督管理局).
    Agency(String),
    /// The document title, centred, large and bold (行政处罚决定书).
    Title(String),
    /// A single line (document number, field lines like `时间：…`), not wrapped
    /// unless it is wider than the text width.
    Line(TextLine),
    /// Flowing paragraph, wrapped at the text width, first line indented two
    /// characters when `indent`.
    Paragraph { runs: Vec<Run>, indent: bool },
    /// Ruled table.
    Table(Table),
    /// A photo (generated picture) of `height` mm across the text width, with
    /// a caption line under it.
    Photo { height: f32, caption: TextLine },
    /// Vertical space in mm.
    Space(f32),
    /// Start a new page here.
    PageBreak,
}

/// What is printed at the foot of every page of a multi-page record.
#[derive(Debug, Clone, PartialEq)]
pub struct Footer {
    /// Lines above the page counter, e.g. `被询问人签名：` + handwritten name,
    /// with `marks.fingerprint`.
    pub lines: Vec<TextLine>,
    /// Print `第X页 共Y页` (counting the document's own pages).
    pub page_counter: bool,
    /// 0-based page indexes (within the document) on which the handwritten
    /// runs of `lines` are left out and fingerprints not pressed: the
    /// "interviewee did not sign page 2" defect.
    pub unsigned_pages: Vec<usize>,
}

/// One document of the dossier, before pagination.
#[derive(Debug, Clone, PartialEq)]
pub struct DocSpec {
    /// Code from `rubrics/doc-types.toml`.
    pub doc_type: String,
    /// The title as printed (also put in the body as a `Block::Title`).
    pub title: String,
    pub blocks: Vec<Block>,
    pub footer: Option<Footer>,
    /// The document's own date, ISO 8601, for the truth.
    pub date: Option<String>,
    /// Document number such as 蒲市监罚〔2022〕15号, for the truth.
    pub number: Option<String>,
    pub party: Option<String>,
}

/// How the archival page number (top right corner) of a page is put on paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageNumberStyle {
    /// Written by hand in the corner.
    Handwritten,
    /// Stamped with a numbering stamp (digits in a small box or plain).
    Stamped,
    /// Stamped, always zero-padded in a box (a numbering machine's stamp).
    Boxed,
    /// Stamped, never padded nor boxed.
    Plain,
}

/// How one page is scanned.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanParams {
    pub dpi: u32,
    pub grayscale: bool,
    /// Clockwise degrees: 0, 90, 180 or 270.
    pub rotation: u16,
    /// Small skew in degrees (±1.5).
    pub skew_deg: f32,
    /// 0.0 (clean) … 1.0 (bad copy): blur, noise, uneven light, JPEG quality.
    pub degradation: f32,
    /// Seed of this page's random artefacts.
    pub seed: u64,
}

/// One page after layout: what `render::draw` draws.
#[derive(Debug, Clone, PartialEq)]
pub struct PageLayout {
    /// Index of the document in the dossier (0-based) and page within it.
    pub doc_index: usize,
    pub page_in_doc: usize,
    pub pages_in_doc: usize,
    /// Laid-out items; opaque to `content`.
    pub items: Vec<crate::layout::Placed>,
}

/// One rendered page: the scanned image and its truth.
pub struct RenderedPage {
    /// The image as scanned (rotation and artefacts applied), RGB or gray.
    pub image: image::DynamicImage,
    pub dpi: u32,
    pub rotation: u16,
    pub grayscale: bool,
    /// Text lines in reading order on the upright page, at `dpi`.
    pub lines: Vec<anjuan_core::truth::TruthLine>,
    pub printed_page_number: Option<u32>,
    /// JPEG quality suited to the scan's degradation (see [`crate::pdf::quality_for`]);
    /// pass it to [`crate::pdf::encode_page`].
    pub jpeg_quality: u8,
}
