//! User-facing Swedish text that is built from figures, kept together so a translation is possible.
//! Fixed labels live next to the markup in `web::views`.

use crate::domain::{Comparator, Verdict};
use crate::report::goals::Distance;

/// "40 %" (rounded to whole percent, non-breaking space).
pub fn percent(share: f64) -> String {
    format!("{}\u{a0}%", (share * 100.0).round() as i64)
}

/// A measured share `a / n` set against a goal's target (basis points), with as many decimals as it
/// takes (at most two) for the figure to read as the verdict: whole percent where that agrees, but
/// "84,8 %" rather than "85 %" for a miss of "minst 85 %", and "12,5 %" rather than "12 %" for a
/// hit of "minst 12,4 %". `met`: whether the goal is met (a tie meets it).
pub fn percent_against(a: i64, n: i64, cmp: Comparator, target_bp: i64, met: bool) -> String {
    if n <= 0 {
        return "–".into();
    }
    let (a, n, target) = (a as i128, n as i128, target_bp as i128);
    // At p decimals the value is v / 10^p percent; the target is target / 100 percent.
    let agrees = |v: i128, p: u32| {
        let (v, t) = (v * 100, target * 10i128.pow(p));
        match (met, cmp) {
            (true, Comparator::AtLeast) => v >= t,
            (true, Comparator::AtMost) => v <= t,
            (false, Comparator::AtLeast) => v < t,
            (false, Comparator::AtMost) => v > t,
        }
    };
    let show = |v: i128, p: u32| {
        let scale = 10i128.pow(p);
        let (whole, frac) = (v / scale, v % scale);
        if p == 0 { format!("{whole}\u{a0}%") } else { format!("{whole},{frac:0w$}\u{a0}%", w = p as usize) }
    };
    for p in 0..=2u32 {
        // Rounded half up: (2·a·scale + n) / 2n.
        let scale = 100 * 10i128.pow(p);
        let v = (2 * a * scale + n) / (2 * n);
        if agrees(v, p) {
            return show(v, p);
        }
    }
    // Still on the wrong side at two decimals: round towards the truth.
    let scale = 10_000i128;
    let down = a * scale / n;
    let v = if agrees(down, 2) { down } else { down + 1 };
    show(v, 2)
}

/// A target in basis points, exactly, with as many decimals as it has (at most two): "45 %",
/// "12,5 %", "12,05 %".
pub fn percent_exact(bp: i64) -> String {
    format!("{}\u{a0}%", percent_number(bp))
}

/// The number of `percent_exact` without the sign: "45", "12,5", "12,05" (what the goal form shows).
pub fn percent_number(bp: i64) -> String {
    let (whole, frac) = (bp / 100, bp % 100);
    match frac {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole},{}", f / 10),
        f => format!("{whole},{f:02}"),
    }
}

/// A decimal number with a decimal comma and one decimal: "10,3".
pub fn decimal(x: f64) -> String {
    format!("{x:.1}").replace('.', ",")
}

/// A whole number with a space as thousands separator: "2 500 000".
pub fn count(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    if n < 0 { format!("−{out}") } else { out }
}

/// A count with its noun: "1 aktivitet", "5 aktiviteter".
pub fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// How a goal is judged, for its sentence: the verdict, the band of "delvis uppfyllt" written in
/// the target's unit ("65 %"), and whether the figure is an expectation rather than a goal.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub verdict: Verdict,
    pub band: Option<String>,
    pub expectation: bool,
}

impl Judgement {
    /// "målet minst 45 %" or "förväntan högst 15 %".
    fn against(&self, bound: &str) -> String {
        format!("{} {bound}", if self.expectation { "förväntan" } else { "målet" })
    }
    /// "Uppfyllt: … mot målet minst 75 %" with the band when the target is not reached:
    /// " (delvis uppfyllt från 65 %)".
    fn head(&self, figure: &str, bound: &str) -> String {
        let band = match (&self.band, self.verdict) {
            (Some(b), Verdict::PartlyMet | Verdict::NotMet) => format!(" (delvis uppfyllt från {b})"),
            _ => String::new(),
        };
        format!("{}: {figure} mot {}{band}", self.verdict.label(), self.against(bound))
    }
    /// Whether the sentence goes on to say how far from the target the year is: not when the
    /// target is reached, and never for an expectation (more or less is not better there).
    fn with_distance(&self) -> bool {
        !self.expectation && matches!(self.verdict, Verdict::PartlyMet | Verdict::NotMet)
    }
}

/// The goal status in plain Swedish, e.g. for the 2023 report:
/// "Inte uppfyllt: 40 % (25 av 63) mot målet minst 45 %. 4 fler av årets 63 avslut hade behövt gå
/// till egen försörjning. …"
#[allow(clippy::too_many_arguments)]
pub fn goal_summary(
    label: &str,
    cmp: Comparator,
    target_bp: i64,
    a: i64,
    n: i64,
    d: &Distance,
    kind: &str,
    j: &Judgement,
) -> String {
    let what = label.to_lowercase();
    let bound = format!("{} {}", cmp.label(), percent_exact(target_bp));
    let kind_pl = if kind.is_empty() { "registreringar".to_string() } else { kind.to_string() };
    let Some(met) = d.met else {
        return format!("Inga {kind_pl} är registrerade för året, så {} kan inte mätas.", j.against(&bound));
    };
    let actual = percent_against(a, n, cmp, target_bp, met);
    let mut s = j.head(&format!("{actual} ({a} av {n})"), &bound) + ".";
    if !j.with_distance() {
        return s;
    }
    let short = d.short_by.unwrap_or(0);
    s.push(' ');
    match cmp {
        Comparator::AtLeast => {
            s += &format!(
                "{} av årets {} hade behövt gå till {what} för att nå målet.",
                plural(short, "till", "fler"),
                plural(n, kind, kind)
            );
            match d.needed_more {
                Some(x) => {
                    s += &format!(
                        " Räknat framåt behövs {} med {what} innan målet nås, om inga andra tillkommer.",
                        plural(x, "avslut", "avslut till")
                    )
                }
                None => s += " Målet kan inte nås med fler avslut i år.",
            }
        }
        Comparator::AtMost => {
            s += &format!(
                "{} av årets {} hade behövt ha ett annat utfall än {what} för att nå målet.",
                plural(short, "färre", "färre"),
                plural(n, kind, kind)
            );
            match d.needed_more {
                Some(x) => {
                    s += &format!(
                        " Räknat framåt behövs {} med annat utfall innan målet nås.",
                        plural(x, "avslut", "avslut till")
                    )
                }
                None => s += " Målet kan inte nås med fler avslut i år.",
            }
        }
    }
    s
}

/// A share goal on something other than exits (survey answers, guidance meetings), e.g.
/// "Inte uppfyllt: 92 % (110 av 120 svar) mot målet minst 95 %. 5 av årets 120 svar hade behövt
/// uppfylla ”Stöd och inflytande” för att nå målet."
#[allow(clippy::too_many_arguments)]
pub fn share_summary(
    label: &str,
    cmp: Comparator,
    target_bp: i64,
    a: i64,
    n: i64,
    d: &Distance,
    noun: &str,
    j: &Judgement,
) -> String {
    let noun = if noun.is_empty() { "registreringar" } else { noun };
    let bound = format!("{} {}", cmp.label(), percent_exact(target_bp));
    let Some(met) = d.met else {
        return format!("Inget att mäta än i år ({noun}), så {} kan inte mätas.", j.against(&bound));
    };
    let actual = percent_against(a, n, cmp, target_bp, met);
    let mut s = j.head(&format!("{actual} ({a} av {n} {noun})"), &bound) + ".";
    if !j.with_distance() {
        return s;
    }
    let short = d.short_by.unwrap_or(0);
    let verb = match cmp {
        Comparator::AtLeast => "uppfylla",
        Comparator::AtMost => "inte uppfylla",
    };
    s += &format!(" {} av årets {} {noun} hade behövt {verb} ”{label}” för att nå målet.", count(short), count(n));
    match d.needed_more {
        Some(x) => s += &format!(" Räknat framåt behövs {} {noun} till som gör det innan målet nås.", count(x)),
        None => s += " Målet kan inte nås med fler i år.",
    }
    s
}

/// A count goal: "Uppfyllt: 830 deltagare mot målet minst 500." / "Inte uppfyllt: 120 deltagare
/// mot målet minst 150; 30 till behövs."
pub fn count_summary(cmp: Comparator, target: i64, n: i64, noun: &str, j: &Judgement) -> String {
    let bound = format!("{} {}", cmp.label(), count(target));
    let head = j.head(&format!("{} {noun}", count(n)), &bound);
    if !j.with_distance() {
        return head + ".";
    }
    match cmp {
        Comparator::AtLeast => format!("{head}; {} till behövs.", count(target - n)),
        Comparator::AtMost => format!("{head}; {} för många.", count(n - target)),
    }
}

/// Kronor: "20 000 kr".
pub fn kronor(n: i64) -> String {
    format!("{}\u{a0}kr", count(n))
}

/// A cost-per-participant goal, e.g. "Inte uppfyllt: 26 487 kr per deltagare (utfall 4 847 077 kr
/// för 183 deltagare) mot målet högst 20 000 kr. Kostnaden hade behövt vara 1 187 077 kr lägre,
/// eller deltagare 60 fler."
#[allow(clippy::too_many_arguments)]
pub fn cost_summary(
    cmp: Comparator,
    target_kr: i64,
    amount: Option<i64>,
    people: i64,
    per: &str,
    basis: Option<&str>,
    short_by: Option<i64>,
    needed_more: Option<i64>,
    j: &Judgement,
) -> String {
    let bound = format!("{} {}", cmp.label(), kronor(target_kr));
    let Some(kr) = amount else {
        return format!(
            "Ingen budget eller inget utfall är inlagt för året, så {} per {per} kan inte mätas.",
            j.against(&bound)
        );
    };
    if people == 0 {
        return format!("Inga {per} är registrerade för året, så {} per {per} kan inte mätas.", j.against(&bound));
    }
    let actual = kronor((kr as f64 / people as f64).round() as i64);
    let basis = basis.unwrap_or("utfall");
    let head = j.head(&format!("{actual} per {per} ({basis} {} för {} {per})", kronor(kr), count(people)), &bound);
    match (short_by, needed_more) {
        (Some(kr_short), Some(more)) if kr_short > 0 && j.with_distance() => {
            format!("{head}. Kostnaden hade behövt vara {} lägre, eller {per} {} fler.", kronor(kr_short), count(more))
        }
        _ => format!("{head}."),
    }
}

pub fn flow_problem(dim: &str, value: &str, gender: &str, enrolled: i64, exits: i64) -> String {
    let what = if dim.is_empty() { value.to_string() } else { format!("{dim} {value}") };
    format!(
        "{what}, {gender}: {} men bara {} under året. Fler har avslutats än som någonsin skrivits in – kontrollera registreringarna.",
        plural(exits, "avslut", "avslut"),
        plural(enrolled, "deltagare", "deltagare")
    )
}

/// "2021", "2021 och 2022", "2020, 2021 och 2022".
pub fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} och {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::goals::distance;

    #[test]
    fn a_share_against_its_goal_never_reads_as_the_wrong_verdict() {
        use Comparator::{AtLeast, AtMost};
        let p = |a, n, c, bp, met| percent_against(a, n, c, bp, met).replace('\u{a0}', " ");
        // Whole percent where it agrees with the verdict (the 2023 report's own figures).
        assert_eq!(p(25, 63, AtLeast, 4500, false), "40 %");
        assert_eq!(p(17, 63, AtMost, 1500, false), "27 %");
        // 84,8 % misses "minst 85 %": never "85 %".
        assert_eq!(p(106, 125, AtLeast, 8500, false), "84,8 %");
        // 84,96 %: one decimal would still say 85,0.
        assert_eq!(p(2124, 2500, AtLeast, 8500, false), "84,96 %");
        // 84,9996 %: two decimals would round to 85,00; it is shown below the target instead.
        assert_eq!(p(212_499, 250_000, AtLeast, 8500, false), "84,99 %");
        // A ceiling: 15,4 % misses "högst 15 %"; 14,6 % meets it ("15 %" agrees: at most 15).
        assert_eq!(p(154, 1000, AtMost, 1500, false), "15,4 %");
        assert_eq!(p(146, 1000, AtMost, 1500, true), "15 %");
        // A hit of "minst 12,4 %" with 12,45 %: "12 %" would read as a miss.
        assert_eq!(p(249, 2000, AtLeast, 1240, true), "12,5 %");
        // A tie meets the goal.
        assert_eq!(p(85, 100, AtLeast, 8500, true), "85 %");
        assert_eq!(p(0, 0, AtLeast, 8500, false), "–");
    }

    #[test]
    fn formats_swedish_numbers() {
        assert_eq!(percent(0.4), "40\u{a0}%");
        assert_eq!(percent_exact(1250), "12,5\u{a0}%");
        assert_eq!(percent_exact(1205), "12,05\u{a0}%");
        assert_eq!(percent_exact(1), "0,01\u{a0}%");
        assert_eq!(percent_exact(4500), "45\u{a0}%");
        // What the form shows parses back to the same target.
        for bp in [0, 1, 5, 10, 1205, 1250, 4500, 9999, 10_000] {
            assert_eq!(crate::domain::goal::parse_percent(&percent_number(bp)), Some(bp));
        }
        assert_eq!(decimal(10.25), "10,2");
        assert_eq!(count(2_500_000), "2\u{a0}500\u{a0}000");
        assert_eq!(count(-3), "−3");
    }

    #[test]
    fn summary_2023_states_both_distances() {
        let d = distance(Comparator::AtLeast, 4500, 25, 63);
        let s =
            goal_summary("Egen försörjning", Comparator::AtLeast, 4500, 25, 63, &d, "avslut", &judged(Verdict::NotMet));
        assert!(s.starts_with("Inte uppfyllt: 40\u{a0}% (25 av 63) mot målet minst 45\u{a0}%."), "{s}");
        assert!(s.contains("4 fler av årets 63 avslut hade behövt gå till egen försörjning"), "{s}");
        assert!(s.contains("behövs 7 avslut till med egen försörjning"), "{s}");
    }

    #[test]
    fn cost_summary_2023_coachingteamet() {
        // 4 847 077 kr for 183 participants against at most 20 000 kr: 26 487 kr per participant;
        // 20 000 × 183 = 3 660 000, so 1 187 077 kr lower; 4 847 077 / 20 000 = 242.35 → 243 − 183 = 60.
        let s = cost_summary(
            Comparator::AtMost,
            20_000,
            Some(4_847_077),
            183,
            "deltagare",
            Some("utfall"),
            Some(1_187_077),
            Some(60),
            &judged(Verdict::NotMet),
        );
        assert!(s.starts_with("Inte uppfyllt: 26\u{a0}487\u{a0}kr per deltagare"), "{s}");
        assert!(s.contains("1\u{a0}187\u{a0}077\u{a0}kr lägre, eller deltagare 60 fler"), "{s}");
    }

    #[test]
    fn count_summaries() {
        assert_eq!(
            count_summary(Comparator::AtLeast, 500, 830, "deltagare", &judged(Verdict::Met)),
            "Uppfyllt: 830 deltagare mot målet minst 500."
        );
        assert_eq!(
            count_summary(Comparator::AtLeast, 150, 120, "deltagare", &judged(Verdict::NotMet)),
            "Inte uppfyllt: 120 deltagare mot målet minst 150; 30 till behövs."
        );
    }

    fn judged(verdict: Verdict) -> Judgement {
        Judgement { verdict, band: None, expectation: false }
    }

    /// The 2023 report's "Mer redo att arbeta eller studera": 70 % against 75 % is "delvis
    /// uppfyllt" with a band from 65 %; the care exits (33 % against 15 %) are an expectation,
    /// reported without what "would have been needed".
    #[test]
    fn partly_met_and_expectations_read_as_the_report_writes_them() {
        let d = distance(Comparator::AtLeast, 7500, 21, 30);
        let j = Judgement { verdict: Verdict::PartlyMet, band: Some(percent_exact(6500)), expectation: false };
        let s = share_summary("Mer redo", Comparator::AtLeast, 7500, 21, 30, &d, "svar", &j).replace('\u{a0}', " ");
        assert!(
            s.starts_with("Delvis uppfyllt: 70 % (21 av 30 svar) mot målet minst 75 % (delvis uppfyllt från 65 %). 2 av årets 30 svar"),
            "{s}"
        );
        let d = distance(Comparator::AtLeast, 1500, 21, 63);
        let j = Judgement { verdict: Verdict::Met, band: None, expectation: true };
        let s = goal_summary("Vård", Comparator::AtLeast, 1500, 21, 63, &d, "avslut", &j).replace('\u{a0}', " ");
        assert_eq!(s, "Uppfyllt: 33 % (21 av 63) mot förväntan minst 15 %.");
        let j = Judgement { verdict: Verdict::NotMet, band: None, expectation: true };
        let s = count_summary(Comparator::AtMost, 10, 12, "registreringar", &j);
        assert_eq!(s, "Inte uppfyllt: 12 registreringar mot förväntan högst 10.");
    }
}
