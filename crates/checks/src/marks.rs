//! Seals and fingerprints found on the page images (`anjuan-marks`).
//! Pages whose marks were not looked for (`version == 0`: a text-layer page,
//! or a cache from before the detectors) are not judged.

use crate::content::for_doc;
use crate::rules::{FingerprintRule, Rules, SealRule};
use crate::sink::Sink;
use crate::view::{page_evidence, Dossier, Spot};

pub fn check(d: &Dossier, rules: &Rules, sink: &mut Sink) {
    for r in &rules.seal {
        seal(d, r, sink);
    }
    for r in &rules.fingerprint {
        fingerprint(d, r, sink);
    }
}

fn seal(d: &Dossier, r: &SealRule, sink: &mut Sink) {
    for doc in d.docs.iter().filter(|x| r.doc_types.contains(&x.doc_type)) {
        let pages: Vec<usize> = doc
            .pages
            .iter()
            .copied()
            .filter(|&p| d.pages[p].marks.version > 0)
            .collect();
        if pages.is_empty() {
            continue;
        }
        if pages.iter().any(|&p| !d.pages[p].marks.seals.is_empty()) {
            continue;
        }
        let last = doc.last_page();
        let colour = d.pages[last].marks.colour;
        // Where the seal belongs: over the agency's name at the foot.
        let lines = d.lines(last);
        let foot = lines.iter().rev().take(8).find(|l| {
            l.text.ends_with('局') || l.text.contains("人民政府") || l.text.ends_with("委员会")
        });
        let evidence = match foot {
            Some(l) => vec![Spot::of_line(last, l).evidence()],
            None => vec![page_evidence(last, None)],
        };
        // A red seal is hard to miss on a colour scan; on a grayscale scan
        // the ring is found by shape alone and a faint one can be missed.
        let conf = if colour { 0.85 } else { 0.55 };
        let reason = format!(
            "{}第{}页{}{}",
            doc.name(),
            last + 1,
            r.reason,
            if colour {
                ""
            } else {
                "（灰度扫描，按形状判断）"
            }
        );
        sink.emit(&for_doc(&r.target, &doc.doc_type), &reason, conf, evidence);
    }
}

fn fingerprint(d: &Dossier, r: &FingerprintRule, sink: &mut Sink) {
    for doc in d.docs.iter().filter(|x| r.doc_types.contains(&x.doc_type)) {
        let mut bad = Vec::new();
        let mut conf: f32 = 0.0;
        let mut printed_somewhere = false;
        let mut bad_colour: Vec<bool> = Vec::new();
        for &p in &doc.pages {
            let marks = d.pages[p].marks;
            if marks.version == 0 {
                continue;
            }
            // The signed places of the signer on this page.
            let slots: Vec<_> = marks
                .signatures
                .iter()
                .filter(|s| r.slot_kinds.contains(&s.kind) && s.signed)
                .collect();
            if slots.is_empty() {
                continue; // an unsigned page is the signature check's finding
            }
            let near = |s: &anjuan_core::marks::SignatureSlot| {
                marks.fingerprints.iter().any(|f| {
                    let fy = (f.bbox[1] + f.bbox[3]) / 2;
                    let sy0 = s.label_bbox[1].min(s.area[1]).saturating_sub(300);
                    let sy1 = s.label_bbox[3].max(s.area[3]) + 300;
                    fy >= sy0 && fy <= sy1
                })
            };
            if slots.iter().any(|s| near(s)) {
                printed_somewhere = true;
                continue;
            }
            let s = slots[0];
            bad_colour.push(marks.colour);
            bad.push(
                Spot {
                    page: p,
                    bbox: s.area,
                    text: s.label.clone(),
                    confidence: s.confidence,
                }
                .evidence(),
            );
            conf = conf.max(if marks.colour { 0.8 } else { 0.55 } * s.confidence.max(0.6));
        }
        // On a grayscale scan a faint print can be missed: a record printed on
        // its other pages is not judged by its gray pages alone.
        if printed_somewhere && bad_colour.iter().all(|c| !c) {
            continue;
        }
        if bad.is_empty() {
            continue;
        }
        let pages: Vec<String> = bad
            .iter()
            .filter_map(|e| e.page)
            .map(|p| format!("第{p}页"))
            .collect();
        let reason = format!("{}（{}）", r.reason, pages.join("、"));
        sink.emit(&for_doc(&r.target, &doc.doc_type), &reason, conf, bad);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{one_page_findings, stacked};
    use crate::Line;
    use anjuan_core::marks::{FingerprintMark, PageMarks, SealMark, SignatureSlot};
    use anjuan_core::CaseKind;

    fn decision_findings(marks: &PageMarks) -> Vec<(String, f32)> {
        let texts = ["行政处罚决定书", "汾西县市场监督管理局", "2024年3月21日"];
        one_page_findings(
            CaseKind::Penalty,
            "penalty_decision",
            "行政处罚决定书",
            Some("2024-03-21"),
            stacked(&texts, [1500, 2800, 2100], 0.97),
            marks,
        )
        .into_iter()
        .filter(|f| f.item == "P-3.7.5")
        .map(|f| (f.reason, f.confidence))
        .collect()
    }

    #[test]
    fn seal_absent_on_colour_is_surer_than_on_grayscale() {
        let seal = SealMark {
            bbox: [1550, 2650, 2050, 3150],
            confidence: 0.9,
            red: true,
        };
        let sealed = PageMarks {
            version: 1,
            colour: true,
            seals: vec![seal],
            ..PageMarks::default()
        };
        assert!(decision_findings(&sealed).is_empty());
        let colour = PageMarks {
            version: 1,
            colour: true,
            ..PageMarks::default()
        };
        let gray = PageMarks {
            version: 1,
            colour: false,
            ..PageMarks::default()
        };
        let c = decision_findings(&colour);
        let g = decision_findings(&gray);
        assert_eq!((c.len(), g.len()), (1, 1));
        assert!(c[0].1 > g[0].1, "{c:?} {g:?}");
        assert!(g[0].0.contains("灰度"));
        // Marks not looked for: not judged.
        assert!(decision_findings(&PageMarks::default()).is_empty());
    }

    #[test]
    fn fingerprint_beside_the_interviewee_signature() {
        let slot = SignatureSlot {
            label: "被询问人签名：".into(),
            label_bbox: [514, 2005, 791, 2059],
            area: [792, 1960, 1300, 2100],
            signed: true,
            confidence: 0.9,
            text: Some("闫丽娟".into()),
            kind: "interviewee".into(),
        };
        let print = FingerprintMark {
            bbox: [900, 1990, 1010, 2120],
            confidence: 0.8,
            red: true,
        };
        let run = |fingerprints: Vec<FingerprintMark>| {
            let marks = PageMarks {
                version: 1,
                colour: true,
                seals: vec![],
                signatures: vec![slot.clone()],
                fingerprints,
                corner_ink: None,
            };
            let lines = vec![Line {
                text: "被询问人签名：闫丽娟",
                raw: "被询问人签名：闫丽娟",
                bbox: [514, 2005, 1200, 2059],
                confidence: 0.95,
            }];
            one_page_findings(
                CaseKind::Penalty,
                "interview_record",
                "询问笔录",
                None,
                lines,
                &marks,
            )
            .into_iter()
            .filter(|f| f.item == "P-2.2.7")
            .count()
        };
        assert_eq!(run(vec![print]), 0);
        assert_eq!(run(vec![]), 1);
    }
}
