//! Bar charts as SVG, drawn here (no script, no library): what a supervisor
//! would rather look at than read. Text is escaped; sizes are fixed so the
//! chart prints on A4.

use std::fmt::Write;

const COLORS: &[&str] = &[
    "#2e7d32", "#1565c0", "#f9a825", "#c62828", "#6a1b9a", "#00838f",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn legend(svg: &mut String, names: &[String], y: f64) {
    let mut x = 10.0;
    for (i, n) in names.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}" font-size="12">{}</text>"#,
            y - 10.0,
            COLORS[i % COLORS.len()],
            x + 16.0,
            y,
            esc(n)
        );
        x += 30.0 + 13.0 * n.chars().count() as f64;
    }
}

/// A chart's opening: the SVG element of height `h`, its title, its legend.
fn open(title: &str, h: f64, legend_names: &[String]) -> String {
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 720 {h}" width="720" height="{h}" role="img" aria-label="{}"><text x="10" y="16" font-size="14" font-weight="bold">{}</text>"#,
        esc(title),
        esc(title)
    );
    legend(&mut svg, legend_names, 36.0);
    svg
}

/// A row's name, right-aligned before the bars that start at `label_w`.
fn row_label(svg: &mut String, label_w: f64, y: f64, name: &str) {
    let _ = write!(
        svg,
        r#"<text x="{}" y="{y}" font-size="12" text-anchor="end">{}</text>"#,
        label_w - 6.0,
        esc(name)
    );
}

/// Horizontal bars, one per row, split by the legend's parts (counts).
pub fn stacked_bars(title: &str, parts: &[String], rows: &[(String, Vec<f64>)]) -> String {
    let label_w = 200.0;
    let bar_w = 440.0;
    let row_h = 22.0;
    let top = 44.0;
    let h = top + row_h * rows.len().max(1) as f64 + 16.0;
    let max = rows
        .iter()
        .map(|(_, v)| v.iter().sum::<f64>())
        .fold(0.0, f64::max)
        .max(1.0);
    let mut svg = open(title, h, parts);
    for (r, (name, values)) in rows.iter().enumerate() {
        let y = top + r as f64 * row_h;
        row_label(&mut svg, label_w, y + 14.0, name);
        let mut x = label_w;
        for (i, v) in values.iter().enumerate() {
            let w = bar_w * v / max;
            if w > 0.0 {
                let _ = write!(
                    svg,
                    r#"<rect x="{x:.1}" y="{y}" width="{w:.1}" height="{}" fill="{}"><title>{}: {}</title></rect>"#,
                    row_h - 6.0,
                    COLORS[i % COLORS.len()],
                    esc(parts.get(i).map(String::as_str).unwrap_or("")),
                    crate::fmt_num(*v)
                );
            }
            x += w;
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" font-size="12">{}</text>"#,
            x + 4.0,
            y + 14.0,
            crate::fmt_num(values.iter().sum())
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars grouped per row, one bar per series, on a scale of 0 to
/// `max`.
pub fn grouped_bars(
    title: &str,
    series: &[String],
    rows: &[(String, Vec<f64>)],
    max: f64,
) -> String {
    let label_w = 200.0;
    let bar_w = 440.0;
    let bar_h = 12.0;
    let group_h = bar_h * series.len().max(1) as f64 + 8.0;
    let top = 44.0;
    let h = top + group_h * rows.len().max(1) as f64 + 16.0;
    let mut svg = open(title, h, series);
    for (r, (name, values)) in rows.iter().enumerate() {
        let y0 = top + r as f64 * group_h;
        row_label(&mut svg, label_w, y0 + group_h / 2.0 + 2.0, name);
        for (i, v) in values.iter().enumerate() {
            let y = y0 + i as f64 * bar_h;
            let w = bar_w * (v / max).clamp(0.0, 1.0);
            let _ = write!(
                svg,
                r#"<rect x="{label_w}" y="{y}" width="{w:.1}" height="{}" fill="{}"/><text x="{:.1}" y="{}" font-size="11">{}</text>"#,
                bar_h - 2.0,
                COLORS[i % COLORS.len()],
                label_w + w + 4.0,
                y + bar_h - 3.0,
                crate::fmt_num(*v)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}
