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

/// Whether `configured` (e.g. `2.4`, meaning any 2.4.x, or `2.4.8`) can be a version inside
/// `range` (`2.4.0-2.4.8`, `2.4.9-`, `-2.3.7` or a single `2.4.9`).
pub fn range_matches(range: &str, configured: &str) -> Result<bool, String> {
    let low_of = |v: &str| parse(v, 0);
    let high_of = |v: &str| parse(v, u32::MAX);
    let (low, high) = match range.split_once('-') {
        Some((a, b)) => (
            if a.trim().is_empty() { (0, 0, 0) } else { low_of(a)? },
            if b.trim().is_empty() {
                (u32::MAX, u32::MAX, u32::MAX)
            } else {
                high_of(b)?
            },
        ),
        None => (low_of(range)?, high_of(range)?),
    };
    let (v_low, v_high) = (low_of(configured)?, high_of(configured)?);
    Ok(v_low <= high && low <= v_high)
}

#[cfg(test)]
mod tests {
    use super::range_matches;

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
    fn bad_versions_are_errors() {
        assert!(range_matches("two", "2.4").is_err());
        assert!(range_matches("2.4.0-2.4.8", "2").is_err());
    }
}
