//! Documents the procedure needs but the file lacks: every item of the
//! document deducts in full, and the basic standard that the rubric ties to
//! the document's presence (`check = "required_document"`) is suspected.

use crate::rules::Rules;
use crate::sink::{Sink, Target};
use crate::status::Absence;
use crate::view::Dossier;
use anjuan_core::contract::Evidence;

pub fn check(d: &Dossier, rules: &Rules, sink: &mut Sink) {
    // A file whose pages were mostly not recognised says little about what
    // it lacks.
    let unknown = d
        .pages
        .iter()
        .filter(|p| matches!(p.doc_type, "other" | ""))
        .count();
    let confidence = (0.9 - unknown as f32 / d.pages.len().max(1) as f32).max(0.3);
    for r in rules.required.iter().filter(|r| r.kind == d.kind) {
        if d.has(&r.doc_type) {
            continue;
        }
        if !r.when_any.is_empty() && !r.when_any.iter().any(|t| d.has(t)) {
            continue;
        }
        let reason = format!("卷内未见{}", r.name);
        let from = sink.len();
        let evidence = vec![Evidence {
            page: None,
            bbox: None,
            text: None,
        }];
        let rubric = sink.rubric();
        let items: Vec<_> = rubric
            .items
            .iter()
            .filter(|i| !i.basic && i.doc_types.contains(&r.doc_type))
            .collect();
        for item in items {
            sink.emit_item(item, None, &reason, confidence, evidence.clone());
        }
        let basic = Target::new("required_document", &r.doc_type).basic(true);
        sink.emit(&basic, &reason, confidence, evidence);
        sink.mark_absent(from, Absence::Document(r.doc_type.clone()));
    }
}
