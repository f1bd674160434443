//! One dossier from (seed, index): the case, its defects, its documents laid
//! out on pages, archival page numbers, the contents page built from the
//! layout, then the scan of every page and the ground truth.

use crate::case::{self, Case, Profile};
use crate::common::{self, ContentsRow};
use crate::defects::{Defect, DefectDef, Defects};
use crate::docs::{Built, Ctx, Shows};
use crate::family::{self, PageNumber, Wording};
use crate::{coercion, penalty, score};
use anjuan_core::truth::{
    CaseFacts, DefectKind, DefectTruth, DocumentTruth, DossierTruth, PageTruth, TRUTH_SCHEMA,
};
use anjuan_core::CaseKind;
use anjuan_paper::model::{PageLayout, PageNumberStyle, ScanParams};
use anjuan_paper::pdf::{encode_page, EncodedPage};
use anjuan_paper::Renderer;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What kind of files to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindChoice {
    Penalty,
    Coercion,
    /// About three penalty files for two coercion files.
    Mixed,
}

/// How one dossier is to be made.
#[derive(Debug, Clone)]
pub struct Spec {
    pub seed: u64,
    pub index: u64,
    pub kind: KindChoice,
    pub profile: Profile,
    /// Scan resolution for every page, instead of drawing 200 or 300 DPI.
    pub dpi: Option<u32>,
    /// Defects to inject instead of drawing them (tests).
    pub forced: Option<Vec<Defect>>,
}

impl Spec {
    pub fn id(&self) -> String {
        format!("d{}-{:03}", self.seed, self.index)
    }

    /// The dossier's own random stream: depends only on (seed, index).
    pub fn rng(&self) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(self.index);
        rng
    }
}

/// A dossier laid out but not yet scanned.
pub struct Plan {
    pub id: String,
    pub seed: u64,
    /// The template family's key.
    pub family: String,
    /// The family's wording as drawn for this dossier.
    pub words: Wording,
    pub case: Case,
    pub defects: Defects,
    pub docs: Vec<Built>,
    /// Page layouts of each document, in order.
    pub layouts: Vec<Vec<PageLayout>>,
    /// The archival number written on each page (None = left unnumbered).
    pub numbers: Vec<Option<u32>>,
    /// Pages (1-based) where each page-numbering defect shows.
    pub number_defect_pages: Vec<u32>,
    pub scan: Vec<ScanParams>,
    pub number_style: PageNumberStyle,
}

impl Plan {
    pub fn page_count(&self) -> usize {
        self.layouts.iter().map(Vec::len).sum()
    }

    /// First and last page (1-based) of each document.
    pub fn ranges(&self) -> Vec<[u32; 2]> {
        let mut out = Vec::new();
        let mut next = 1u32;
        for l in &self.layouts {
            let n = l.len() as u32;
            out.push([next, next + n - 1]);
            next += n;
        }
        out
    }
}

/// Highest JPEG quality of `--profile small` pages.
const SMALL_JPEG_QUALITY: u8 = 45;

/// Order in which documents are swapped by the out-of-order defect: the
/// first present pair is swapped.
const SWAPS: &[(&str, &str)] = &[
    ("penalty_decision_approval", "penalty_decision"),
    ("coercive_measure_approval", "coercive_measure_decision"),
    ("performance_demand", "enforcement_decision"),
    ("performance_demand", "substitute_performance_decision"),
];

/// The case of a dossier: the first draws of its stream.
pub fn case_for(spec: &Spec, rng: &mut ChaCha8Rng) -> Case {
    let kind = match spec.kind {
        KindChoice::Penalty => CaseKind::Penalty,
        KindChoice::Coercion => CaseKind::Coercion,
        KindChoice::Mixed => {
            if rng.gen_bool(0.6) {
                CaseKind::Penalty
            } else {
                CaseKind::Coercion
            }
        }
    };
    case::sample(rng, kind, spec.profile)
}

/// The plan of a dossier in the default family.
pub fn plan(spec: &Spec, renderer: &Renderer) -> Plan {
    plan_in(spec, family::DEFAULT, renderer)
}

/// The plan of a dossier in the family `choice` (a family's key or
/// [`family::MIXED`]). The dossier's stream draws exactly what it draws in
/// the default family; the family's own choices come from its stream.
pub fn plan_in(spec: &Spec, choice: &str, renderer: &Renderer) -> Plan {
    let (family, mut frng) = family::resolve(choice, spec);
    let mut rng = spec.rng();
    let case = case_for(spec, &mut rng);
    let kind = case.kind;
    let max_defects = match spec.profile {
        Profile::Full => 4,
        Profile::Small => 3,
    };
    let defects = match &spec.forced {
        Some(f) => Defects(f.clone()),
        None => Defects::draw(&mut rng, &case, max_defects),
    };
    let cx = Ctx::new(&mut rng, &mut frng, family, &case, &defects);
    let mut body = match kind {
        CaseKind::Penalty => penalty::body(&cx, &mut rng),
        _ => coercion::body(&cx),
    };
    if defects.has(Defect::OutOfOrder) {
        swap_first_pair(&mut body);
    }

    // Front and back matter with placeholder numbers; their page counts
    // do not depend on the numbers.
    let has_contents = !defects.has(Defect::ContentsMissing);
    let has_reference = !defects.has(Defect::ReferenceSheetMissing);
    let mut docs = vec![common::cover(&cx, 999)];
    let contents_at = has_contents.then_some(1);
    if has_contents {
        let placeholder: Vec<ContentsRow> = body
            .iter()
            .map(|b| ContentsRow {
                title: cx.contents_name(&b.spec),
                date: b.spec.date.clone(),
                pages: (999, 999),
            })
            .collect();
        docs.push(common::contents(&cx, &placeholder));
    }
    docs.extend(body);
    if has_reference {
        docs.push(common::reference_sheet(&cx, 999, 99));
    }
    let mut layouts: Vec<Vec<PageLayout>> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| renderer.paginate(&d.spec, i))
        .collect();

    // Page numbers and their defects, then the real cover, contents and
    // reference sheet. Filling in the numbers can change how many pages the
    // contents take (a title that wrapped beside "999" fits beside "7"), which
    // moves every number after it: number again until the pagination holds.
    let mut rounds = 0;
    let (total, numbers, number_defect_pages) = loop {
        let total: usize = layouts.iter().map(Vec::len).sum();
        let (numbers, number_defect_pages) = number_pages(&mut rng, total, &defects);
        let ranges = ranges_of(&layouts);
        let printed = |p: u32| numbers[(p - 1) as usize].unwrap_or(p);
        let last_number = numbers
            .iter()
            .flatten()
            .copied()
            .max()
            .unwrap_or(total as u32);
        let n_docs = docs.len();
        let mut rebuilt = vec![(0, common::cover(&cx, last_number))];
        if let Some(ci) = contents_at {
            let rows: Vec<ContentsRow> = docs
                .iter()
                .zip(&ranges)
                .skip(ci + 1)
                .map(|(d, r)| ContentsRow {
                    title: cx.contents_name(&d.spec),
                    date: d.spec.date.clone(),
                    pages: (printed(r[0]), printed(r[1])),
                })
                .collect();
            rebuilt.push((ci, common::contents(&cx, &rows)));
        }
        if has_reference {
            rebuilt.push((
                n_docs - 1,
                common::reference_sheet(&cx, last_number, n_docs),
            ));
        }
        let mut moved = false;
        for (i, b) in rebuilt {
            let l = renderer.paginate(&b.spec, i);
            moved |= l.len() != layouts[i].len();
            layouts[i] = l;
            docs[i] = b;
        }
        rounds += 1;
        if !moved {
            break (total, numbers, number_defect_pages);
        }
        assert!(
            rounds < 5,
            "{}: the contents' page count does not settle",
            spec.id()
        );
    };

    // Footers that leave out a signature on one page: clamp to the document's pages.
    for (b, l) in docs.iter_mut().zip(&layouts) {
        let pages = l.len();
        for (d, shows) in b.shows.iter_mut() {
            if let Shows::Page(k) = shows {
                *k = (*k).min(pages - 1);
                if matches!(
                    d,
                    Defect::InterviewUnsignedPage | Defect::HearingRecordUnsigned
                ) {
                    if let Some(f) = b.spec.footer.as_mut() {
                        f.unsigned_pages = vec![*k];
                    }
                }
            }
        }
    }

    let dpi = match spec.profile {
        Profile::Small => {
            if rng.gen_bool(0.15) {
                300
            } else {
                200
            }
        }
        Profile::Full => {
            if rng.gen_bool(0.5) {
                300
            } else {
                200
            }
        }
    };
    let dpi = spec.dpi.unwrap_or(dpi);
    let grayscale = rng.gen_bool(0.25);
    let base_degradation: f32 = match spec.profile {
        Profile::Full => rng.gen_range(0.05..0.55),
        Profile::Small => rng.gen_range(0.02..0.2),
    };
    let drawn = if rng.gen_bool(0.5) {
        PageNumberStyle::Handwritten
    } else {
        PageNumberStyle::Stamped
    };
    let number_style = match family.page_number {
        PageNumber::Any => drawn,
        PageNumber::Handwritten => PageNumberStyle::Handwritten,
        PageNumber::Stamped => PageNumberStyle::Stamped,
        PageNumber::Boxed => PageNumberStyle::Boxed,
        PageNumber::Plain => PageNumberStyle::Plain,
    };
    let scan = (0..total)
        .map(|_| ScanParams {
            dpi,
            grayscale,
            rotation: if rng.gen_bool(0.035) {
                [90, 180, 270][rng.gen_range(0..3)]
            } else {
                0
            },
            skew_deg: if rng.gen_bool(0.8) {
                rng.gen_range(-1.2..1.2)
            } else {
                0.0
            },
            degradation: (base_degradation + rng.gen_range(-0.05..0.1)).clamp(0.0, 1.0),
            seed: rng.gen(),
        })
        .collect();
    Plan {
        id: spec.id(),
        seed: spec.seed,
        family: family.key.clone(),
        words: cx.words.clone(),
        case,
        defects,
        docs,
        layouts,
        numbers,
        number_defect_pages,
        scan,
        number_style,
    }
}

fn ranges_of(layouts: &[Vec<PageLayout>]) -> Vec<[u32; 2]> {
    let mut out = Vec::new();
    let mut next = 1u32;
    for l in layouts {
        let n = l.len() as u32;
        out.push([next, next + n - 1]);
        next += n;
    }
    out
}

fn swap_first_pair(body: &mut [Built]) {
    for (a, b) in SWAPS {
        let ia = body.iter().position(|d| d.spec.doc_type == *a);
        let ib = body.iter().position(|d| d.spec.doc_type == *b);
        if let (Some(ia), Some(ib)) = (ia, ib) {
            body.swap(ia, ib);
            for i in [ia, ib] {
                if !body[i].shows.iter().any(|(d, _)| *d == Defect::OutOfOrder) {
                    body[i].shows.push((Defect::OutOfOrder, Shows::All));
                }
            }
            return;
        }
    }
}

/// Archival numbers 1..=total, with a gap, a repeat or an unnumbered page
/// when a defect asks. Returns the numbers and the pages where the defect shows.
fn number_pages(
    rng: &mut ChaCha8Rng,
    total: usize,
    defects: &Defects,
) -> (Vec<Option<u32>>, Vec<u32>) {
    let mut numbers: Vec<Option<u32>> = (1..=total as u32).map(Some).collect();
    // A page in the middle (never the cover).
    let k = if total > 4 {
        rng.gen_range(2..total - 1)
    } else {
        total - 1
    };
    let mut pages = Vec::new();
    if defects.has(Defect::PageNumberGap) {
        let skip = rng.gen_range(1..=2);
        for n in numbers.iter_mut().skip(k) {
            *n = n.map(|v| v + skip);
        }
        pages.push(k as u32 + 1);
    } else if defects.has(Defect::PageNumberRepeat) {
        for n in numbers.iter_mut().skip(k) {
            *n = n.map(|v| v - 1);
        }
        pages.push(k as u32 + 1);
    } else if defects.has(Defect::PageNumberMissing) {
        numbers[k] = None;
        pages.push(k as u32 + 1);
    }
    (numbers, pages)
}

/// Rasterises every page (encoding each at once) and returns the encoded
/// pages and their truth.
pub fn render(plan: &Plan, renderer: &Renderer) -> (Vec<EncodedPage>, Vec<PageTruth>) {
    let mut encoded = Vec::with_capacity(plan.page_count());
    let mut truths = Vec::with_capacity(plan.page_count());
    let mut p = 0usize;
    for (di, (doc, layouts)) in plan.docs.iter().zip(&plan.layouts).enumerate() {
        for layout in layouts {
            let scan = &plan.scan[p];
            let number = plan.numbers[p].map(|n| (n, plan.number_style));
            let page = renderer.draw(layout, &doc.spec, number, scan);
            // Short (sample) files are kept small, as archives scanned to a
            // size budget are: the JPEG quality is capped.
            let quality = match plan.case.profile {
                Profile::Full => page.jpeg_quality,
                Profile::Small => page.jpeg_quality.min(SMALL_JPEG_QUALITY),
            };
            encoded.push(encode_page(&page, quality));
            truths.push(PageTruth {
                page: p as u32 + 1,
                doc_type: doc.spec.doc_type.clone(),
                document: di as u32 + 1,
                printed_page_number: page.printed_page_number,
                rotation: page.rotation,
                dpi: page.dpi,
                grayscale: page.grayscale,
                lines: page.lines,
            });
            p += 1;
        }
    }
    (encoded, truths)
}

/// The truth of a planned dossier, given its pages' truth.
pub fn truth(plan: &Plan, pages: Vec<PageTruth>) -> DossierTruth {
    let c = &plan.case;
    let ranges = plan.ranges();
    let documents: Vec<DocumentTruth> = plan
        .docs
        .iter()
        .zip(&ranges)
        .enumerate()
        .map(|(i, (d, r))| DocumentTruth {
            index: i as u32 + 1,
            doc_type: d.spec.doc_type.clone(),
            title: d.spec.title.clone(),
            pages: *r,
            date: d.spec.date.clone(),
            number: d.spec.number.clone(),
            party: d.spec.party.clone(),
        })
        .collect();
    let defects = defect_truth(plan, &ranges);
    let expected = score::expected(c.kind, &defects);
    let case_number = match c.kind {
        CaseKind::Penalty => c.number("罚"),
        _ => c.number("强"),
    };
    DossierTruth {
        schema: TRUTH_SCHEMA.to_string(),
        id: plan.id.clone(),
        seed: plan.seed,
        family: plan.family.clone(),
        case_kind: c.kind,
        agency: c.agency.name.clone(),
        case_number,
        party: c.party.name.clone(),
        fine_yuan: (c.kind == CaseKind::Penalty
            && c.fine > 0
            && c.scenario.penalty.contains("罚款"))
        .then_some(c.fine as f64),
        confiscated_yuan: (c.kind == CaseKind::Penalty
            && c.scenario.penalty.contains("没收违法所得"))
        .then_some(c.gain as f64),
        facts: CaseFacts {
            hearing_requested: c.hearing_requested,
            hearing_qualified: c.hearing_qualified,
            evidence_preserved: c.preservation,
            coercive_measure: c.measure(),
            enforcement: c.execution(),
            substitute_performance: c.substitute(),
            major_case: c.major,
        },
        pages,
        documents,
        defects,
        expected,
    }
}

pub fn defect_truth(plan: &Plan, ranges: &[[u32; 2]]) -> Vec<DefectTruth> {
    let kind = plan.case.kind;
    let mut out = Vec::new();
    for &d in &plan.defects.0 {
        let def = DefectDef::get(d);
        let mut pages: Vec<u32> = Vec::new();
        for (b, r) in plan.docs.iter().zip(ranges) {
            for (dd, shows) in &b.shows {
                if *dd != d {
                    continue;
                }
                match shows {
                    Shows::All => pages.extend(r[0]..=r[1]),
                    Shows::Page(k) => pages.push(r[0] + *k as u32),
                }
            }
        }
        if matches!(
            d,
            Defect::PageNumberGap | Defect::PageNumberRepeat | Defect::PageNumberMissing
        ) {
            pages.extend(&plan.number_defect_pages);
        }
        pages.sort_unstable();
        pages.dedup();
        for &(item, points) in def.items_for(kind) {
            out.push(DefectTruth {
                defect: def.key.to_string(),
                item: item.to_string(),
                kind: if points.is_some() {
                    DefectKind::Deduction
                } else {
                    DefectKind::Basic
                },
                points,
                pages: pages.clone(),
                description: def.description.to_string(),
            });
        }
    }
    out
}
