//! Magento version ranges, for wording that changed between releases (CONTRACT.md §9.9, §10).

type Version = (u32, u32, u32);

fn parse(text: &str, open_patch: u32) -> Result<Version, String> {
    let parts: Vec<&str> = text.trim().split('.').collect();
    let number = |i: usize| -> Result<u32, String> {
        parts
            .get(i)
            .ok_or_else(|| format!("{text:?} is not a version like 2.4 or 2.4.8"))?
            .parse()
            .map_err(|_| format!("{text:?} is not a version like 2.4 or 2.4.8"))
    };
    match parts.len() {
        2 => Ok((number(0)?, number(1)?, open_patch)),
        3 => Ok((number(0)?, number(1)?, number(2)?)),
        _ => Err(format!("{text:?} is not a version like 2.4 or 2.4.8")),
    }
}

/// The lowest and highest versions of a range as [`range_matches`] reads it.
fn bounds(range: &str) -> Result<(Version, Version), String> {
    Ok(match range.split_once('-') {
        Some((a, b)) => (
            if a.trim().is_empty() { (0, 0, 0) } else { parse(a, 0)? },
            if b.trim().is_empty() {
                (u32::MAX, u32::MAX, u32::MAX)
            } else {
                parse(b, u32::MAX)?
            },
        ),
        None => (parse(range, 0)?, parse(range, u32::MAX)?),
    })
}

/// Whether two ranges (`2.4.0-2.4.7`, `2.4.8-`, `2.4`) share a version.
pub fn ranges_overlap(a: &str, b: &str) -> Result<bool, String> {
    let ((a_low, a_high), (b_low, b_high)) = (bounds(a)?, bounds(b)?);
    Ok(a_low <= b_high && b_low <= a_high)
}

/// Whether `configured` (e.g. `2.4`, meaning any 2.4.x, or `2.4.8`) can be a version inside
/// `range` (`2.4.0-2.4.8`, `2.4.9-`, `-2.3.7` or a single `2.4.9`).
pub fn range_matches(range: &str, configured: &str) -> Result<bool, String> {
    let (low, high) = bounds(range)?;
    let (v_low, v_high) = (parse(configured, 0)?, parse(configured, u32::MAX)?);
    Ok(v_low <= high && low <= v_high)
}

#[cfg(test)]
mod tests {
    use super::{range_matches, ranges_overlap};

    #[test]
    fn a_minor_version_matches_every_patch_range_it_overlaps() {
        assert!(range_matches("2.4.0-2.4.8", "2.4").unwrap());
        assert!(range_matches("2.4.9-", "2.4").unwrap());
        assert!(!range_matches("-2.3.7", "2.4").unwrap());
    }

    #[test]
    fn a_patch_version_matches_only_its_range() {
        assert!(range_matches("2.4.0-2.4.8", "2.4.8").unwrap());
        assert!(!range_matches("2.4.9-", "2.4.8").unwrap());
        assert!(range_matches("2.4.9-", "2.4.10").unwrap());
        assert!(range_matches("2.4.9", "2.4.9").unwrap());
        assert!(!range_matches("2.4.9", "2.4.8").unwrap());
    }

    #[test]
    fn ranges_overlap_when_they_share_a_release() {
        assert!(ranges_overlap("2.4.0-", "2.4.0-2.4.7").unwrap());
        assert!(ranges_overlap("2.4.8-", "2.4.8-").unwrap());
        assert!(!ranges_overlap("2.4.8-", "2.4.0-2.4.7").unwrap());
        assert!(!ranges_overlap("2.4.0-2.4.7", "2.4.8").unwrap());
        assert!(ranges_overlap("2.4", "2.4.7").unwrap());
    }

    #[test]
    fn bad_versions_are_errors() {
        assert!(range_matches("two", "2.4").is_err());
        assert!(range_matches("2.4.0-2.4.8", "2").is_err());
    }
}
