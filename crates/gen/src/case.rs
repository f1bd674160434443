//! One sampled case: who, where, what, when. Everything a document needs to
//! say is decided here, once, so that every document of a dossier agrees.

use crate::data::{self, CoercionMode, Goods, PartyKind, Scenario};
use crate::text::{self, Vars};
use anjuan_core::CaseKind;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

#[derive(Debug, Clone)]
pub struct Party {
    pub kind: PartyKind,
    /// Company name, or the individual's name.
    pub name: String,
    /// The shop's sign (字号) of an individual business, or the company name.
    pub shop: String,
    pub credit_code: Option<String>,
    pub legal_rep: Option<String>,
    /// The natural person who signs for the party (the individual or the legal representative).
    pub signer: String,
    pub signer_sex: &'static str,
    pub signer_age: u32,
    pub signer_id: String,
    pub address: String,
    pub phone: String,
}

#[derive(Debug, Clone)]
pub struct Officer {
    pub name: String,
    pub cert: String,
}

#[derive(Debug, Clone)]
pub struct Agency {
    pub name: String,
    pub short: String,
    pub upper: String,
    pub unit: String,
    pub seal_label: String,
    pub county: String,
    pub county_short: String,
}

/// Dates of the penalty procedure, in order.
#[derive(Debug, Clone)]
pub struct PenaltyDates {
    pub inspect: NaiveDateTime,
    pub inspect_end: NaiveDateTime,
    pub filing: NaiveDate,
    pub preservation_notice: NaiveDate,
    pub preservation_decision: NaiveDate,
    /// Start of each interview.
    pub interviews: Vec<NaiveDateTime>,
    pub correction: NaiveDate,
    pub report: NaiveDate,
    pub legal_review: NaiveDate,
    pub discussion: NaiveDate,
    pub notice: NaiveDate,
    pub hearing_request: NaiveDate,
    pub hearing_notice: NaiveDate,
    pub hearing: NaiveDateTime,
    pub hearing_report: NaiveDate,
    pub approval: NaiveDate,
    pub decision: NaiveDate,
    pub service: NaiveDate,
    pub payment: NaiveDate,
    pub closing: NaiveDate,
}

/// Dates of the coercion procedure.
#[derive(Debug, Clone)]
pub struct CoercionDates {
    pub measure: NaiveDateTime,
    pub measure_end: NaiveDateTime,
    pub release: NaiveDate,
    /// The decision being enforced (限期拆除 …).
    pub order: NaiveDate,
    pub demand: NaiveDate,
    pub demand_deadline: NaiveDate,
    pub enforcement_decision: NaiveDate,
    pub substitute_decision: NaiveDate,
    pub execution: NaiveDateTime,
    pub execution_end: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub kind: CaseKind,
    pub profile: Profile,
    pub scenario: &'static Scenario,
    pub agency: Agency,
    pub party: Party,
    /// The investigating officers (two, sometimes three), with 执法证号.
    pub officers: Vec<Officer>,
    /// Head of the handling unit (承办机构负责人).
    pub unit_head: String,
    /// The agency head who approves (机关负责人).
    pub agency_head: String,
    pub legal_reviewer: String,
    /// A witness for coercion on site, an employee interviewed in penalty cases.
    pub witness: String,
    pub witness_id: String,
    pub goods: Goods,
    pub qty: u32,
    pub value: u64,
    pub gain: u64,
    pub fine: u64,
    pub hearing_qualified: bool,
    pub hearing_requested: bool,
    pub preservation: bool,
    pub major: bool,
    /// Number of interviews (records) and the number of Q&A pairs of each.
    pub interviewees: usize,
    pub mode: CoercionMode,
    pub release: bool,
    pub year: i32,
    pub seq: u32,
    pub penalty: Option<PenaltyDates>,
    pub coercion: Option<CoercionDates>,
    pub vars: Vars,
}

/// How long and rich dossiers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    /// Full dossiers: several interviewees, photos, all optional documents.
    Full,
    /// Short dossiers for committed samples: one interview, fewer photos.
    Small,
}

impl Case {
    pub fn measure(&self) -> bool {
        self.kind == CaseKind::Coercion
            && matches!(self.mode, CoercionMode::Measure | CoercionMode::Both)
    }
    pub fn execution(&self) -> bool {
        self.kind == CaseKind::Coercion
            && matches!(self.mode, CoercionMode::Execution | CoercionMode::Both)
    }
    pub fn substitute(&self) -> bool {
        self.execution() && self.scenario.substitute
    }
    pub fn pd(&self) -> &PenaltyDates {
        self.penalty.as_ref().expect("penalty case")
    }
    pub fn cd(&self) -> &CoercionDates {
        self.coercion.as_ref().expect("coercion case")
    }
    pub fn fill(&self, template: &str) -> String {
        text::fill(template, &self.vars)
    }
    /// A document number of this case: 蒲市监{kind}〔2023〕15号.
    pub fn number(&self, kind: &str) -> String {
        format!(
            "{}{}{}〔{}〕{}号",
            self.agency.county_short, self.agency.short, kind, self.year, self.seq
        )
    }
    /// The 案由 as written on forms.
    pub fn cause(&self) -> String {
        match self.kind {
            CaseKind::Coercion => format!("{}{}", self.party.name, self.scenario.cause),
            _ => format!("{}{}", self.party.name, self.scenario.cause),
        }
    }
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, v: &'a [T]) -> &'a T {
    v.choose(rng).expect("non-empty table")
}

pub fn person_name(rng: &mut ChaCha8Rng, taken: &mut Vec<String>) -> String {
    let w = data::world();
    loop {
        let n = format!(
            "{}{}",
            pick(rng, &w.people.surnames),
            pick(rng, &w.people.given)
        );
        if !taken.contains(&n) {
            taken.push(n.clone());
            return n;
        }
    }
}

/// A 18-digit resident ID number with a valid ISO 7064 check digit.
pub fn id_number(rng: &mut ChaCha8Rng, area: &str, birth: NaiveDate, male: bool) -> String {
    let seq: u32 = rng.gen_range(0..50) * 2 + u32::from(male);
    let body = format!(
        "{area}{}{:03}",
        birth.format("%Y%m%d"),
        rng.gen_range(10..99) * 10 + seq % 10
    );
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(weights)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// An 18-character 统一社会信用代码 (GB 32100-2015) with a valid check character.
pub fn credit_code(rng: &mut ChaCha8Rng, area: &str) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut body = format!("91{area}");
    for _ in 0..9 {
        body.push(CHARS[rng.gen_range(0..CHARS.len())] as char);
    }
    let weights = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: usize = body
        .bytes()
        .zip(weights)
        .map(|(b, w)| CHARS.iter().position(|&c| c == b).expect("code char") * w)
        .sum();
    let check = CHARS[(31 - sum % 31) % 31] as char;
    format!("{body}{check}")
}

pub fn is_workday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !data::world().is_holiday(d)
}

/// The first workday on or after `d`.
pub fn workday_from(mut d: NaiveDate) -> NaiveDate {
    while !is_workday(d) {
        d += Duration::days(1);
    }
    d
}

/// `n` workdays after `d` (0 → the first workday on or after `d`).
pub fn add_workdays(d: NaiveDate, n: u32) -> NaiveDate {
    let mut d = workday_from(d);
    for _ in 0..n {
        d = workday_from(d + Duration::days(1));
    }
    d
}

fn at(d: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    d.and_time(NaiveTime::from_hms_opt(h, m, 0).expect("valid time"))
}

fn clock(rng: &mut ChaCha8Rng, d: NaiveDate, from_h: u32, to_h: u32) -> NaiveDateTime {
    at(
        d,
        rng.gen_range(from_h..to_h),
        [0, 10, 15, 20, 30, 40, 45, 50][rng.gen_range(0..8)],
    )
}

fn round_to(v: u64, step: u64) -> u64 {
    v / step.max(1) * step.max(1)
}

pub fn sample(rng: &mut ChaCha8Rng, kind: CaseKind, profile: Profile) -> Case {
    let w = data::world();
    let scenarios: Vec<&'static Scenario> = data::scenarios()
        .iter()
        .filter(|s| s.kind == kind)
        .collect();
    let scenario: &'static Scenario = scenarios.choose(rng).expect("scenarios of each kind");
    let county = pick(rng, &w.county);
    let a = w.agency(&scenario.agency);
    let sub = |t: &str| {
        t.replace("{county}", &county.name)
            .replace("{city}", &county.city)
    };
    let agency = Agency {
        name: sub(&a.name),
        short: a.short.clone(),
        upper: sub(&a.upper),
        unit: a.unit.clone(),
        seal_label: a.seal_label.clone(),
        county: county.name.clone(),
        county_short: county.short.clone(),
    };

    let mut taken = Vec::new();
    let party_kind = *pick(rng, &scenario.parties);
    let signer = person_name(rng, &mut taken);
    let male = rng.gen_bool(0.7);
    let birth = NaiveDate::from_ymd_opt(
        rng.gen_range(1962..2000),
        rng.gen_range(1..13),
        rng.gen_range(1..29),
    )
    .expect("valid birth date");
    let town = pick(rng, &county.towns).clone();
    let street = pick(rng, &w.place.streets);
    let address = format!(
        "{}{}{}号",
        county.name,
        town,
        format_args!("{street}{}", rng.gen_range(1..200))
    );
    let word = pick(rng, &w.company.words);
    let (name, shop, credit, rep) = match party_kind {
        PartyKind::Company => {
            let n = format!(
                "{}{}{}{}",
                county.name,
                word,
                pick(rng, &scenario.industries),
                pick(rng, &w.company.forms)
            );
            (
                n.clone(),
                n,
                Some(credit_code(rng, &county.code)),
                Some(signer.clone()),
            )
        }
        PartyKind::Person => {
            let shop = format!("{}{}{}", county.name, word, pick(rng, &scenario.shops));
            // Individual businesses (个体工商户) also hold a 统一社会信用代码 (starting 92).
            let code = rng.gen_bool(0.5).then(|| {
                fix_credit_check(&format!("92{}", &credit_code(rng, &county.code)[2..17]))
            });
            (signer.clone(), shop, code, None)
        }
    };
    let year_start = NaiveDate::from_ymd_opt(2022, 3, 1).expect("date");
    let inspect_day = add_workdays(year_start + Duration::days(rng.gen_range(0..940)), 0);
    let year = inspect_day.year();
    let area_code = &county.code;
    let party = Party {
        kind: party_kind,
        name,
        shop,
        credit_code: credit,
        legal_rep: rep,
        signer_id: id_number(rng, area_code, birth, male),
        signer: signer.clone(),
        signer_sex: if male { "男" } else { "女" },
        signer_age: (year - birth.year()) as u32,
        address: address.clone(),
        phone: format!(
            "1{}{:08}",
            [35, 39, 52, 58, 87, 38][rng.gen_range(0..6)],
            rng.gen_range(0..100_000_000u32)
        ),
    };
    let n_officers = if rng.gen_bool(0.25) { 3 } else { 2 };
    let officers = (0..n_officers)
        .map(|_| Officer {
            name: person_name(rng, &mut taken),
            cert: format!("{}{:05}", &county.code, rng.gen_range(1..99999)),
        })
        .collect();
    let unit_head = person_name(rng, &mut taken);
    let agency_head = person_name(rng, &mut taken);
    let legal_reviewer = person_name(rng, &mut taken);
    let witness = person_name(rng, &mut taken);
    let wbirth = NaiveDate::from_ymd_opt(
        rng.gen_range(1965..2002),
        rng.gen_range(1..13),
        rng.gen_range(1..29),
    )
    .expect("date");
    let wmale = rng.gen_bool(0.5);
    let witness_id = id_number(rng, area_code, wbirth, wmale);

    let goods = pick(rng, &scenario.goods).clone();
    let qty = rng.gen_range(scenario.qty[0]..=scenario.qty[1]);
    let value = (goods.3 * f64::from(qty)).round() as u64;
    let gain = round_to(value / rng.gen_range(3..8) + 1, 1).max(20);
    let area: u64 = rng.gen_range(60..1200);
    let cost = round_to(area * rng.gen_range(800..1500), 1000);
    let rate_per_m2: u64 = [100, 150, 200, 300][rng.gen_range(0..4)];
    let [fmin, fmax, step] = scenario.fine;
    let fine = match scenario.key.as_str() {
        "illegal_land" => area * rate_per_m2,
        "unlicensed_building" => cost / 20,
        _ if fmax > 0 => {
            let steps = (fmax - fmin) / step.max(1);
            u64::from(fmin + step * rng.gen_range(0..=steps))
        }
        _ => 0,
    };
    let hearing_qualified = scenario.hearing
        && (fine
            >= match party_kind {
                PartyKind::Person => 10_000,
                PartyKind::Company => 50_000,
            }
            || scenario.penalty.contains("没收")
            || scenario.penalty.contains("拆除"));
    let hearing_requested = hearing_qualified && profile == Profile::Full && rng.gen_bool(0.35);
    // Short (sample) files: no preservation, no collective discussion.
    let full = profile == Profile::Full;
    let preservation = scenario.preservation && rng.gen_bool(0.7) && full;
    let major = kind == CaseKind::Penalty && fine >= 50_000 && rng.gen_bool(0.8) && full;
    let interviewees = match profile {
        Profile::Small => 1,
        Profile::Full => rng.gen_range(1..=2),
    };
    let mode = *pick(
        rng,
        if scenario.modes.is_empty() {
            &[CoercionMode::Measure][..]
        } else {
            &scenario.modes
        },
    );
    let release = kind == CaseKind::Coercion
        && matches!(mode, CoercionMode::Measure)
        && profile == Profile::Full
        && rng.gen_bool(0.5);
    let seq = rng.gen_range(1..180);

    let mut vars = Vars::new();
    let order_number = format!(
        "{}{}拆〔{}〕{}号",
        county.short,
        agency.short,
        year,
        rng.gen_range(1..60)
    );
    let total = 49 + qty;
    for (k, v) in [
        ("party", party.name.clone()),
        ("shop", party.shop.clone()),
        ("address", address),
        ("town", town.clone()),
        ("village", pick(rng, &w.place.villages).clone()),
        ("road", pick(rng, &county.roads).clone()),
        (
            "km",
            format!("{}+{:03}", rng.gen_range(2..80), rng.gen_range(0..1000)),
        ),
        ("goods", goods.0.clone()),
        ("spec", goods.1.clone()),
        ("unit", goods.2.clone()),
        ("qty", qty.to_string()),
        ("qty_in", (qty + rng.gen_range(5..40)).to_string()),
        ("value", value.to_string()),
        ("gain", gain.to_string()),
        ("area", area.to_string()),
        ("cost", cost.to_string()),
        ("rate_per_m2", rate_per_m2.to_string()),
        ("fine", fine.to_string()),
        ("fine_cn", text::yuan_capital(fine)),
        (
            "plate",
            format!(
                "晋L{}{:04}",
                ["A", "B", "C", "D", "K"][rng.gen_range(0..5)],
                rng.gen_range(0..10000)
            ),
        ),
        ("total", total.to_string()),
        ("rate", format!("{:.1}", f64::from(qty) / 49.0 * 100.0)),
        ("order_number", order_number),
    ] {
        vars.insert(k, v);
    }
    let qty_in: u32 = vars["qty_in"].parse().expect("number");
    vars.insert("qty_sold", (qty_in - qty).to_string());
    vars.insert("inspect_date", text::date_cn(inspect_day));
    let open = inspect_day - Duration::days(rng.gen_range(30..400));
    vars.insert("open_date", format!("{}年{}月", open.year(), open.month()));
    vars.insert("place", text::fill(&scenario.place, &vars));

    let mut case = Case {
        kind,
        profile,
        scenario,
        agency,
        party,
        officers,
        unit_head,
        agency_head,
        legal_reviewer,
        witness,
        witness_id,
        goods,
        qty,
        value,
        gain,
        fine,
        hearing_qualified,
        hearing_requested,
        preservation,
        major,
        interviewees,
        mode,
        release,
        year,
        seq,
        penalty: None,
        coercion: None,
        vars,
    };
    match kind {
        CaseKind::Penalty => case.penalty = Some(penalty_dates(rng, &case, inspect_day)),
        _ => {
            let cd = coercion_dates(rng, &case, inspect_day);
            case.vars.insert("order_date", text::date_cn(cd.order));
            case.coercion = Some(cd);
        }
    }
    case
}

fn fix_credit_check(body17: &str) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let weights = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: usize = body17
        .bytes()
        .zip(weights)
        .map(|(b, w)| CHARS.iter().position(|&c| c == b).expect("code char") * w)
        .sum();
    format!("{body17}{}", CHARS[(31 - sum % 31) % 31] as char)
}

fn penalty_dates(rng: &mut ChaCha8Rng, case: &Case, day: NaiveDate) -> PenaltyDates {
    let inspect = clock(rng, day, 9, 15);
    let inspect_end = inspect + Duration::minutes(rng.gen_range(40..110));
    let filing = add_workdays(day, rng.gen_range(0..3));
    let preservation_notice = day;
    let preservation_decision = day + Duration::days(rng.gen_range(3..7));
    let mut interviews = Vec::new();
    let mut d = add_workdays(filing, rng.gen_range(0..3));
    for _ in 0..case.interviewees {
        interviews.push(clock(rng, d, 9, 16));
        d = add_workdays(d, rng.gen_range(0..3));
    }
    let last_interview = interviews.last().expect("one interview").date();
    let correction = day;
    let report = add_workdays(last_interview, rng.gen_range(3..10));
    let legal_review = add_workdays(report, rng.gen_range(1..4));
    let discussion = add_workdays(legal_review, rng.gen_range(1..3));
    let notice = add_workdays(
        if case.major { discussion } else { legal_review },
        rng.gen_range(1..3),
    );
    let hearing_request = notice + Duration::days(rng.gen_range(1..5));
    let hearing_notice = add_workdays(hearing_request, rng.gen_range(1..3));
    let hearing_day = add_workdays(hearing_notice + Duration::days(7), rng.gen_range(0..3));
    let hearing = clock(rng, hearing_day, 9, 11);
    let hearing_report = add_workdays(hearing.date(), rng.gen_range(1..3));
    let approval = if case.hearing_requested {
        add_workdays(hearing_report, rng.gen_range(1..3))
    } else {
        // After the 3-day (陈述申辩) or 5-day (hearing request) period has run.
        add_workdays(notice + Duration::days(6), rng.gen_range(0..4))
    };
    let decision = add_workdays(approval, rng.gen_range(0..2));
    let service = decision + Duration::days(rng.gen_range(0..4));
    let payment = service + Duration::days(rng.gen_range(2..14));
    let closing = add_workdays(payment, rng.gen_range(3..12));
    PenaltyDates {
        inspect,
        inspect_end,
        filing,
        preservation_notice,
        preservation_decision,
        interviews,
        correction,
        report,
        legal_review,
        discussion,
        notice,
        hearing_request,
        hearing_notice,
        hearing,
        hearing_report,
        approval,
        decision,
        service,
        payment,
        closing,
    }
}

fn coercion_dates(rng: &mut ChaCha8Rng, case: &Case, day: NaiveDate) -> CoercionDates {
    // Measure first (or alone); an execution follows an order made months before.
    let measure = clock(rng, day, 9, 15);
    let measure_end = measure + Duration::minutes(rng.gen_range(40..100));
    let mut release = add_workdays(day + Duration::days(rng.gen_range(10..22)), 0);
    while release - day > Duration::days(29) || !is_workday(release) {
        release -= Duration::days(1);
    }
    let order = day - Duration::days(rng.gen_range(190..260));
    let exec_base = if case.mode == CoercionMode::Both {
        day + Duration::days(rng.gen_range(20..40))
    } else {
        day
    };
    let demand = add_workdays(exec_base, 0);
    let demand_deadline = demand + Duration::days(10);
    let enforcement_decision =
        add_workdays(demand_deadline + Duration::days(1), rng.gen_range(0..4));
    let substitute_decision = enforcement_decision;
    let exec_day = add_workdays(
        enforcement_decision + Duration::days(4),
        rng.gen_range(0..5),
    );
    let execution = clock(rng, exec_day, 8, 11);
    let execution_end = execution + Duration::minutes(rng.gen_range(90..300));
    CoercionDates {
        measure,
        measure_end,
        release,
        order,
        demand,
        demand_deadline,
        enforcement_decision,
        substitute_decision,
        execution,
        execution_end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn id_and_credit_codes_carry_valid_check_characters() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let id = id_number(
            &mut rng,
            "141033",
            NaiveDate::from_ymd_opt(1980, 5, 6).unwrap(),
            true,
        );
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("14103319800506"));
        // Known valid example from GB 11643: 11010519491231002X.
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let known = "11010519491231002";
        let s: u32 = known
            .bytes()
            .zip(weights)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        assert_eq!(b"10X98765432"[(s % 11) as usize], b'X');
        // Known valid code: 91350100M000100Y43.
        assert_eq!(fix_credit_check("91350100M000100Y4"), "91350100M000100Y43");
        let c = credit_code(&mut rng, "141033");
        assert_eq!(c.len(), 18);
    }

    #[test]
    fn penalty_timeline_runs_in_order_within_legal_periods() {
        for seed in 0..200 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let c = sample(&mut rng, CaseKind::Penalty, Profile::Full);
            let d = c.pd();
            assert!(d.filing >= d.inspect.date());
            assert!(d.preservation_decision - d.preservation_notice <= Duration::days(7));
            assert!(d.interviews[0].date() >= d.filing);
            assert!(
                d.notice > d.report && d.decision > d.notice + Duration::days(5),
                "seed {seed}"
            );
            assert!(d.decision - d.filing <= Duration::days(90), "seed {seed}");
            assert!(d.service - d.decision <= Duration::days(7));
            assert!(
                d.hearing - d.hearing_notice.and_hms_opt(0, 0, 0).unwrap() >= Duration::days(7)
            );
            assert!(d.closing > d.payment);
        }
    }

    #[test]
    fn executions_fall_on_workdays_in_daytime_after_the_demand_period() {
        for seed in 0..200 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let c = sample(&mut rng, CaseKind::Coercion, Profile::Full);
            let d = c.cd();
            assert!(is_workday(d.execution.date()), "seed {seed}");
            assert!((8..18).contains(&chrono::Timelike::hour(&d.execution)));
            assert!(d.enforcement_decision > d.demand_deadline);
            assert!(d.release - d.measure.date() <= Duration::days(30));
        }
    }
}
