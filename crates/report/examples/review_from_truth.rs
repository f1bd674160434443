//! Two reviewers review every imported dossier of a data folder the way
//! careful people would who can see the generator's ground truth: each
//! machine finding is confirmed when the file really has that defect (at the
//! defect's points, adjusted where the machine's differ), rejected when it
//! does not; each real defect the machine missed is added (a basic standard
//! failed). On every fourth file the second reviewer first weighs one
//! deduction half a point heavier, so the two reviews differ and are
//! reconciled. Both sign, a supervisor closes the review and the unit's head
//! acknowledges it. Through the store's own rules (the same calls the app
//! makes), so a supervisor's reports can then be checked against an
//! independent count from the truth (`scripts/report_check.py`).
//!
//! ```sh
//! cargo run --release -p anjuan-report --example review_from_truth -- \
//!     --data run/acc/data --truth run/acc/truth \
//!     --reviewers 张三,李四 --supervisor 王五 --round "2024年度案卷评查"
//! ```
//!
//! The accounts must exist (`anjuan user add`); a head's acknowledgement is
//! recorded under the name of the account that heads the file's unit, else
//! "（负责人）".

use anjuan_core::truth::{DefectKind, DossierTruth};
use anjuan_store::{
    agreed_state, latest_seq, Action, NewAgreed, NewDecision, NewRound, SqliteStore, Store,
};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let need = |n: &str| arg(&args, n).ok_or_else(|| format!("missing {n}"));
    let data = PathBuf::from(need("--data")?);
    let truth_dir = PathBuf::from(need("--truth")?);
    let reviewers: Vec<String> = need("--reviewers")?
        .split(',')
        .map(str::to_string)
        .collect();
    let supervisor = need("--supervisor")?;
    let round_name = arg(&args, "--round").unwrap_or_else(|| "案卷评查".into());
    let store = SqliteStore::open_existing(&data)?;
    let user = |name: &str| -> Result<anjuan_store::User, String> {
        store
            .user_by_name(name)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no account {name:?}: add it with anjuan user add"))
    };
    let (a, b) = (user(&reviewers[0])?, user(&reviewers[1])?);
    let sup = user(&supervisor)?;
    let heads: BTreeMap<String, String> = store
        .users()?
        .into_iter()
        .filter_map(|u| u.unit.clone().map(|unit| (unit, u.name)))
        .collect();

    let dossiers = store.dossiers()?;
    let round = store.create_round(&NewRound {
        name: round_name,
        period_start: "2022-01-01".into(),
        period_end: "2024-12-31".into(),
        units: Vec::new(),
        created_by: sup.id,
        place: "县司法局".into(),
    })?;
    let (mut files, mut decisions, mut differ) = (0, 0, 0);
    for (n, d) in dossiers.iter().enumerate() {
        let path = truth_dir.join(format!("{}.truth.json", d.scan_id));
        let truth: DossierTruth = serde_json::from_str(
            &std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?,
        )?;
        let review = store.review(d.id)?;
        let rubric = anjuan_rubric::Rubric::for_kind(review.case_kind, &[])
            .ok_or("no rubric for the file's kind")?;
        // The file's real problems by item: points summed (capped by the
        // item), or a basic standard failed.
        let mut real: BTreeMap<String, (Option<f64>, String)> = BTreeMap::new();
        for t in &truth.defects {
            let e = real
                .entry(t.item.clone())
                .or_insert((Some(0.0), String::new()));
            match t.kind {
                DefectKind::Basic => e.0 = None,
                DefectKind::Deduction => {
                    if let Some(p) = e.0.as_mut() {
                        *p += t.points.unwrap_or(0.0);
                    }
                }
            }
            if !e.1.is_empty() {
                e.1.push('；');
            }
            e.1.push_str(&t.description);
        }
        for (item, (points, _)) in real.iter_mut() {
            if let (Some(p), Some(cap)) =
                (points.as_mut(), rubric.item(item).and_then(|i| i.points))
            {
                *p = p.min(cap);
            }
        }
        let ids = store.assign(round, d.id, &[a.id, b.id])?;
        let mut first_deduction: Option<(String, f64)> = None;
        for (k, (&aid, who)) in ids.iter().zip([&a, &b]).enumerate() {
            let mut plan: Vec<(String, Action, Option<f64>, String)> = Vec::new();
            let mut seen = std::collections::BTreeSet::new();
            for f in &review.findings {
                if !seen.insert(f.item.clone()) {
                    continue;
                }
                match real.get(&f.item) {
                    Some((None, why)) => {
                        plan.push((f.item.clone(), Action::Confirm, None, why.clone()))
                    }
                    Some((Some(p), why)) if f.points == Some(*p) => {
                        plan.push((f.item.clone(), Action::Confirm, None, why.clone()))
                    }
                    Some((Some(p), why)) => {
                        plan.push((f.item.clone(), Action::Adjust, Some(*p), why.clone()))
                    }
                    None => plan.push((
                        f.item.clone(),
                        Action::Reject,
                        None,
                        "核对原卷，不存在此问题".into(),
                    )),
                }
            }
            for (item, (points, why)) in &real {
                if seen.contains(item) {
                    continue;
                }
                match points {
                    None => plan.push((item.clone(), Action::Fail, None, why.clone())),
                    Some(p) => plan.push((item.clone(), Action::Add, Some(*p), why.clone())),
                }
            }
            if k == 0 {
                first_deduction = real
                    .iter()
                    .find_map(|(i, (p, _))| p.map(|p| (i.clone(), p)));
            }
            for (item, action, points, reason) in plan {
                // The second reviewer of every fourth file first weighs one
                // deduction heavier (within the item), then they reconcile.
                let (action, points) = match (&first_deduction, k, n % 4) {
                    (Some((i, p)), 1, 0) if *i == item => {
                        let cap = rubric.item(i).and_then(|x| x.points).unwrap_or(*p);
                        let heavier = (p + 0.5).min(cap);
                        if heavier != *p {
                            differ += 1;
                            (Action::Adjust, Some(heavier))
                        } else {
                            (action, points)
                        }
                    }
                    _ => (action, points),
                };
                let log = store.decisions(aid)?;
                store.decide(&NewDecision {
                    assignment: aid,
                    item: item.clone(),
                    action,
                    points,
                    reason: if action.needs_reason() || action == Action::Confirm {
                        reason
                    } else {
                        String::new()
                    },
                    marks: Vec::new(),
                    base_seq: latest_seq(&log, &item),
                    by: who.id,
                })?;
                decisions += 1;
            }
            store.submit(aid, who.id)?;
        }
        // Reconcile: the first reviewer's decision on every difference.
        let logs: Vec<_> = ids
            .iter()
            .map(|&i| store.decisions(i))
            .collect::<Result<_, _>>()?;
        let agreed = store.agreed_decisions(round, d.id)?;
        let (_, unresolved) = agreed_state(&logs, &agreed);
        for item in unresolved {
            let first = anjuan_store::current_state(&logs[0])
                .get(&item)
                .map(|d| (*d).clone())
                .ok_or("a difference the first reviewer did not decide")?;
            store.agree(&NewAgreed {
                round,
                dossier: d.id,
                item: item.clone(),
                action: first.action,
                points: first.points,
                reason: first.reason.clone(),
                base_seq: latest_seq(&agreed, &item),
                by: a.id,
            })?;
        }
        store.sign(round, d.id, a.id)?;
        store.sign(round, d.id, b.id)?;
        store.close_review(round, d.id, sup.id)?;
        let unit = d
            .folder_unit
            .clone()
            .or(d.agency.clone())
            .unwrap_or_default();
        let head = heads
            .get(&unit)
            .cloned()
            .unwrap_or_else(|| "（负责人）".into());
        store.acknowledge(round, d.id, &head, "2025-01-10", sup.id)?;
        files += 1;
    }
    println!(
        "round {round}: {files} files reviewed by {} and {}, {decisions} decisions, {differ} differences reconciled, closed by {}",
        a.name, b.name, sup.name
    );
    Ok(())
}
