//! What the marks tests share: generated pages rendered by anjuan-paper.

use anjuan_gen::defects::Defect;
use anjuan_gen::{KindChoice, Profile, Spec};
use anjuan_paper::model::RenderedPage;
use anjuan_paper::Renderer;
use std::sync::OnceLock;

pub fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| Renderer::new().expect("fonts installed (see setup.sh)"))
}

/// Page `nth` of the first `doc_type` document in a dossier of `kind` with
/// exactly `defects`, scanned upright at 200 DPI.
pub fn page(
    kind: KindChoice,
    seed: u64,
    defects: &[Defect],
    doc_type: &str,
    nth: usize,
    gray: bool,
) -> RenderedPage {
    let spec = Spec {
        seed,
        index: 0,
        kind,
        profile: Profile::Full,
        dpi: Some(200),
        forced: Some(defects.to_vec()),
    };
    let r = renderer();
    let plan = anjuan_gen::dossier::plan(&spec, r);
    let mut p = 0;
    for (doc, layouts) in plan.docs.iter().zip(&plan.layouts) {
        if doc.spec.doc_type == doc_type {
            let mut scan = plan.scan[p + nth].clone();
            scan.rotation = 0;
            scan.skew_deg = 0.0;
            scan.grayscale = gray;
            return r.draw(&layouts[nth], &doc.spec, None, &scan);
        }
        p += layouts.len();
    }
    panic!("no {doc_type} in the dossier");
}
