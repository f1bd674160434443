//! Reading order of truth lines: rows top to bottom, left to right within a row.

use anjuan_core::truth::TruthLine;

/// Sorts lines into reading order. Lines whose vertical extents overlap by
/// more than half the smaller height form a row; rows go top to bottom, and
/// within a row lines go left to right.
pub fn reading_order(lines: &mut Vec<TruthLine>) {
    let mut v: Vec<TruthLine> = std::mem::take(lines);
    v.sort_by(|a, b| {
        (a.bbox[1] + a.bbox[3])
            .cmp(&(b.bbox[1] + b.bbox[3]))
            .then(a.bbox[0].cmp(&b.bbox[0]))
    });
    let mut rows: Vec<(u32, u32, Vec<TruthLine>)> = Vec::new();
    for l in v {
        let (t, b) = (l.bbox[1], l.bbox[3]);
        let h = b.saturating_sub(t).max(1);
        let joined = rows.last_mut().filter(|(rt, rb, _)| {
            let overlap = b.min(*rb).saturating_sub(t.max(*rt));
            let rh = rb.saturating_sub(*rt).max(1);
            overlap * 2 > h.min(rh)
        });
        match joined {
            Some(row) => {
                row.0 = row.0.min(t);
                row.1 = row.1.max(b);
                row.2.push(l);
            }
            None => rows.push((t, b, vec![l])),
        }
    }
    for (_, _, mut row) in rows {
        row.sort_by_key(|l| (l.bbox[0], l.bbox[1]));
        lines.extend(row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, bbox: [u32; 4]) -> TruthLine {
        TruthLine {
            text: text.into(),
            bbox,
            handwritten: false,
        }
    }

    #[test]
    fn rows_then_left_to_right() {
        let mut v = vec![
            line("李建国", [300, 102, 400, 140]),
            line("第二行", [10, 200, 100, 230]),
            line("签名：", [10, 100, 120, 130]),
            line("标题", [50, 10, 150, 50]),
        ];
        reading_order(&mut v);
        let t: Vec<_> = v.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(t, ["标题", "签名：", "李建国", "第二行"]);
    }

    #[test]
    fn barely_touching_lines_are_separate_rows() {
        let mut v = vec![line("b", [0, 28, 50, 58]), line("a", [100, 0, 150, 30])];
        reading_order(&mut v);
        assert_eq!(v[0].text, "a");
        assert_eq!(v[1].text, "b");
    }
}
