//! A report out of the program: CSV (UTF-8 with a BOM for spreadsheets,
//! fields quoted, formulas defused), XLSX (a sheet per table, the notes on
//! the first), and plain text for the terminal.

use crate::{Report, Table};

/// A CSV field: quoted when it holds a comma, quote or line break; a
/// leading =, +, - or @ is quoted away so a spreadsheet does not run it.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn csv_rows(t: &Table, out: &mut String) {
    let head: Vec<String> = t.columns.iter().map(|c| csv_field(c)).collect();
    out.push_str(&head.join(","));
    out.push_str("\r\n");
    for row in &t.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c.num {
                // A number is written as a number (a minus sign is no formula).
                Some(n) if c.text == crate::fmt_num(n) => crate::fmt_num(n),
                _ => csv_field(&c.text),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
}

/// One table as CSV.
pub fn table_csv(t: &Table) -> String {
    let mut out = String::from("\u{feff}");
    csv_rows(t, &mut out);
    out
}

/// A report as CSV: its main table (the one the report is about: the
/// largest), preceded by nothing, so a spreadsheet opens it as a table.
/// Use [`table_csv`] for another table.
pub fn report_csv(r: &Report) -> String {
    match main_table(r) {
        Some(t) => table_csv(t),
        None => String::from("\u{feff}"),
    }
}

/// The table a report's CSV holds: the one with the most rows (the detail
/// the summary tables are made of).
pub fn main_table(r: &Report) -> Option<&Table> {
    r.tables
        .iter()
        .enumerate()
        .max_by_key(|(i, t)| (t.rows.len(), std::cmp::Reverse(*i)))
        .map(|(_, t)| t)
}

/// A sheet's name: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(title: &str, taken: &mut Vec<String>) -> String {
    let clean: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(28)
        .collect();
    let mut name = clean.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{clean}{n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// A report as an XLSX workbook: 说明 (title, period, basis, notes), then
/// a sheet per table with numbers as numbers.
pub fn report_xlsx(r: &Report) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| format!("xlsx: {e}");
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let mut taken = Vec::new();
    {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name("说明", &mut taken)).map_err(err)?;
        ws.set_column_width(0, 100).map_err(err)?;
        ws.write_string_with_format(0, 0, &r.title, &bold)
            .map_err(err)?;
        ws.write_string(1, 0, format!("期间：{}", r.period))
            .map_err(err)?;
        let mut row = 2;
        if let Some(b) = r.basis {
            ws.write_string(row, 0, format!("计数口径：{}", b.label()))
                .map_err(err)?;
            row += 1;
        }
        for n in &r.notes {
            ws.write_string_with_format(row, 0, n, &wrap).map_err(err)?;
            row += 1;
        }
    }
    for t in &r.tables {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&t.title, &mut taken)).map_err(err)?;
        for (c, h) in t.columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(err)?;
            let widest = std::iter::once(h.chars().count())
                .chain(
                    t.rows
                        .iter()
                        .filter_map(|r| r.get(c))
                        .map(|x| x.text.chars().count()),
                )
                .max()
                .unwrap_or(4);
            ws.set_column_width(c as u16, (widest as f64 * 2.0).clamp(6.0, 60.0))
                .map_err(err)?;
        }
        for (i, row) in t.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r0, c0) = (i as u32 + 1, c as u16);
                match cell.num {
                    Some(n) if cell.text == crate::fmt_num(n) => {
                        ws.write_number(r0, c0, n).map_err(err)?;
                    }
                    _ => {
                        ws.write_string(r0, c0, &cell.text).map_err(err)?;
                    }
                }
            }
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

/// A report for the terminal: title, period, basis, notes, each table with
/// its columns separated by tabs.
pub fn report_text(r: &Report) -> String {
    let mut out = format!("{}\n期间：{}\n", r.title, r.period);
    if let Some(b) = r.basis {
        out.push_str(&format!("计数口径：{}\n", b.label()));
    }
    for n in &r.notes {
        out.push_str(&format!("  {n}\n"));
    }
    for t in &r.tables {
        out.push_str(&format!("\n## {}\n{}\n", t.title, t.columns.join("\t")));
        for row in &t.rows {
            let cells: Vec<&str> = row.iter().map(|c| c.text.as_str()).collect();
            out.push_str(&cells.join("\t"));
            out.push('\n');
        }
    }
    out
}
