//! Magento releases, ranges of them, and the release gates of scenarios (`@since-…`,
//! `@before-…`): behaviour and wording changed between releases, and inside patch lines
//! (CONTRACT.md §9.9, §10; STORES.md C3, Note 6).

use std::fmt;
use std::str::FromStr;

/// A release as Magento numbers it: `2.4.6` (the release itself), `2.4.6-p8` (a security
/// patch of it), or `2.4` (the whole 2.4 line, some release of it). The order is Magento's:
/// 2.4.6 < 2.4.6-p1 < 2.4.6-p8 < 2.4.7. As the end of a range, `2.4.8` includes its patches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MagentoVersion {
    major: u32,
    minor: u32,
    patch: Option<u32>,
    security_patch: Option<u32>,
}

/// One release in the total order: major, minor, patch and security patch (0 for the release
/// itself). `u32::MAX` stands for "every later one", so it is never a parsed number.
type Point = (u32, u32, u32, u32);

const TOP: u32 = u32::MAX;

/// What the suite assumes of a store whose release is not configured: one of the releases
/// from 2.4.4 on, the first to issue JWTs (CONTRACT.md §5.4) and the oldest line Adobe still
/// patched in the audited years. Behaviour that changed after it needs `MAGENTO_VERSION`.
pub const OLDEST_ASSUMED: MagentoVersion = MagentoVersion {
    major: 2,
    minor: 4,
    patch: Some(4),
    security_patch: None,
};

impl MagentoVersion {
    /// A full release number, `major.minor.patch` with an optional `-p<security_patch>`.
    pub const fn release(major: u32, minor: u32, patch: u32, security_patch: Option<u32>) -> Self {
        Self {
            major,
            minor,
            patch: Some(patch),
            security_patch,
        }
    }

    /// The first release this number names.
    fn low(&self) -> Point {
        (
            self.major,
            self.minor,
            self.patch.unwrap_or(0),
            self.security_patch.unwrap_or(0),
        )
    }

    /// The last release this number names.
    fn high(&self) -> Point {
        (
            self.major,
            self.minor,
            self.patch.unwrap_or(TOP),
            self.security_patch.unwrap_or(TOP),
        )
    }

    /// The last release of this number's patch line (`2.4.6-p8` → any 2.4.6-pN).
    fn line_end(&self) -> Point {
        (self.major, self.minor, self.patch.unwrap_or(TOP), TOP)
    }

    fn same_line(&self, other: &Self) -> bool {
        (self.major, self.minor, self.patch) == (other.major, other.minor, other.patch)
    }
}

/// The release right after `point`.
fn next(point: Point) -> Option<Point> {
    let (a, b, c, d) = point;
    if d < TOP {
        Some((a, b, c, d + 1))
    } else if c < TOP {
        Some((a, b, c + 1, 0))
    } else if b < TOP {
        Some((a, b + 1, 0, 0))
    } else if a < TOP {
        Some((a + 1, 0, 0, 0))
    } else {
        None
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a Magento version like 2.4, 2.4.8 or 2.4.6-p8")]
pub struct NotAVersion(pub String);

impl FromStr for MagentoVersion {
    type Err = NotAVersion;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || NotAVersion(text.to_owned());
        let number = |part: &str| -> Result<u32, NotAVersion> {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            part.parse::<u32>().ok().filter(|n| *n < TOP).ok_or_else(bad)
        };
        let (numbers, security_patch) = match text.split_once("-p") {
            Some((numbers, level)) => match number(level)? {
                0 => return Err(bad()),
                level => (numbers, Some(level)),
            },
            None => (text, None),
        };
        let parts: Vec<&str> = numbers.split('.').collect();
        let version = match parts.as_slice() {
            [major, minor] if security_patch.is_none() => Self {
                major: number(major)?,
                minor: number(minor)?,
                patch: None,
                security_patch: None,
            },
            [major, minor, patch] => Self::release(number(major)?, number(minor)?, number(patch)?, security_patch),
            _ => return Err(bad()),
        };
        Ok(version)
    }
}

impl fmt::Display for MagentoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if let Some(patch) = self.patch {
            write!(f, ".{patch}")?;
        }
        if let Some(level) = self.security_patch {
            write!(f, "-p{level}")?;
        }
        Ok(())
    }
}

/// A closed range of releases: `2.4.0-2.4.8` (every 2.4.8 patch included), `2.4.9-`,
/// `-2.4.4-p13`, or one number (`2.4.9`: every release it names). The `-` between the ends is
/// the one not followed by `p`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionRange {
    low: Point,
    high: Point,
}

impl VersionRange {
    /// Every release a configured version may be: the release it names (any release of a line
    /// like `2.4`), or without one every release from [`OLDEST_ASSUMED`] on.
    pub fn possible(configured: Option<&MagentoVersion>) -> Self {
        match configured {
            Some(release) if release.patch.is_some() => Self {
                low: release.low(),
                high: release.low(),
            },
            Some(line) => Self {
                low: line.low(),
                high: line.high(),
            },
            None => Self {
                low: OLDEST_ASSUMED.low(),
                high: (TOP, TOP, TOP, TOP),
            },
        }
    }

    /// Whether some release is in both ranges.
    pub fn overlaps(&self, other: &VersionRange) -> bool {
        self.low.max(other.low) <= self.high.min(other.high)
    }
}

impl FromStr for VersionRange {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let separators: Vec<usize> = text
            .char_indices()
            .filter(|&(i, c)| c == '-' && !text[i + 1..].starts_with('p'))
            .map(|(i, _)| i)
            .collect();
        let end = |part: &str| -> Result<Option<MagentoVersion>, String> {
            let part = part.trim();
            if part.is_empty() {
                Ok(None)
            } else {
                part.parse().map(Some).map_err(|e: NotAVersion| e.to_string())
            }
        };
        let (low, high) = match separators.as_slice() {
            [] => {
                let version: MagentoVersion = text.parse().map_err(|e: NotAVersion| e.to_string())?;
                (version.low(), version.high())
            }
            [at] => {
                let (low, high) = (end(&text[..*at])?, end(&text[at + 1..])?);
                if low.is_none() && high.is_none() {
                    return Err(format!("{text:?} has no end: write e.g. 2.4.4- or -2.4.8"));
                }
                (
                    low.map_or((0, 0, 0, 0), |v| v.low()),
                    high.map_or((TOP, TOP, TOP, TOP), |v| v.high()),
                )
            }
            _ => {
                return Err(format!(
                    "{text:?} is not a range like 2.4.0-2.4.8, 2.4.9- or -2.4.4-p13"
                ));
            }
        };
        if low > high {
            return Err(format!("{text:?} ends before it starts"));
        }
        Ok(Self { low, high })
    }
}

/// Whether the configured version can be a release inside `range` (a table's or the drift
/// baseline's `versions`): `2.4` can be any 2.4 release.
pub fn range_matches(range: &str, configured: &str) -> Result<bool, String> {
    let range: VersionRange = range.parse()?;
    let configured: MagentoVersion = configured.parse().map_err(|e: NotAVersion| e.to_string())?;
    Ok(range.overlaps(&VersionRange::possible(Some(&configured))))
}

/// The releases that have a behaviour, when each patch line got it at its own patch level:
/// `2.4.4-p12,2.4.5-p11,2.4.6-p9,2.4.7` is 2.4.4-p12 and the later 2.4.4 patches, the same on
/// 2.4.5 and 2.4.6, and every release from 2.4.7 on. The last entry opens every later release;
/// each earlier one covers the rest of its own patch line only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinceReleases(Vec<MagentoVersion>);

impl SinceReleases {
    fn contains(&self, release: Point) -> bool {
        let Some((last, earlier)) = self.0.split_last() else {
            return false;
        };
        release >= last.low() || earlier.iter().any(|e| e.low() <= release && release <= e.line_end())
    }

    /// The releases where membership can change: each entry's first release and the one after
    /// its line ends.
    fn boundaries(&self) -> Vec<Point> {
        let Some((last, earlier)) = self.0.split_last() else {
            return Vec::new();
        };
        std::iter::once(last.low())
            .chain(
                earlier
                    .iter()
                    .flat_map(|e| std::iter::once(e.low()).chain(next(e.line_end()))),
            )
            .collect()
    }

    /// Whether every, none or only some releases of `possible` are in the set.
    fn covers(&self, possible: &VersionRange) -> Coverage {
        let samples = std::iter::once(possible.low).chain(
            self.boundaries()
                .into_iter()
                .filter(|b| possible.low < *b && *b <= possible.high),
        );
        let (mut inside, mut outside) = (false, false);
        for sample in samples {
            if self.contains(sample) {
                inside = true;
            } else {
                outside = true;
            }
        }
        match (inside, outside) {
            (true, false) => Coverage::All,
            (false, _) => Coverage::None,
            (true, true) => Coverage::Some,
        }
    }
}

impl FromStr for SinceReleases {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let entries = text
            .split(',')
            .map(|entry| entry.trim().parse::<MagentoVersion>().map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        let in_order = entries
            .windows(2)
            .all(|pair| pair[0].line_end() < pair[1].low() && !pair[0].same_line(&pair[1]));
        if !in_order {
            return Err(format!(
                "{text:?} must list each patch line once, oldest first, e.g. 2.4.6-p9,2.4.7"
            ));
        }
        Ok(Self(entries))
    }
}

impl fmt::Display for SinceReleases {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        match names.split_last() {
            Some((last, [])) => write!(f, "{last}"),
            Some((last, earlier)) => write!(f, "{} and {last}", earlier.join(", ")),
            None => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coverage {
    All,
    None,
    Some,
}

/// A scenario's release tag: `@since-<releases>` (it checks a behaviour these releases have)
/// or `@before-<releases>` (one they replaced; exactly the releases `@since` leaves out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseGate {
    Since(SinceReleases),
    Before(SinceReleases),
}

/// Whether a gated scenario runs for the configured release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateVerdict {
    Runs,
    /// The configured release does not have the behaviour the scenario checks.
    NotThisRelease(String),
    /// The configured version (or none) spans releases on both sides of the change.
    NeedsVersion(String),
}

impl ReleaseGate {
    /// The gate a tag (without `@`) states, `None` for every other tag.
    pub fn from_tag(tag: &str) -> Option<Result<Self, String>> {
        let gate = |list: &str, make: fn(SinceReleases) -> Self| {
            Some(list.parse().map(make).map_err(|e| format!("tag @{tag}: {e}")))
        };
        if let Some(list) = tag.strip_prefix("since-") {
            gate(list, Self::Since)
        } else if let Some(list) = tag.strip_prefix("before-") {
            gate(list, Self::Before)
        } else {
            None
        }
    }

    pub fn verdict(&self, configured: Option<&MagentoVersion>) -> GateVerdict {
        let possible = VersionRange::possible(configured);
        let (releases, coverage) = match self {
            Self::Since(releases) => (releases, releases.covers(&possible)),
            Self::Before(releases) => (
                releases,
                match releases.covers(&possible) {
                    Coverage::All => Coverage::None,
                    Coverage::None => Coverage::All,
                    Coverage::Some => Coverage::Some,
                },
            ),
        };
        match (coverage, configured) {
            (Coverage::All, _) => GateVerdict::Runs,
            (Coverage::None, Some(version)) => GateVerdict::NotThisRelease(match self {
                Self::Since(_) => {
                    format!("Magento {version} predates it: the behaviour it checks starts in {releases}")
                }
                Self::Before(_) => format!("Magento {version} changed it: the answer it checks ends in {releases}"),
            }),
            (Coverage::None, None) => GateVerdict::NotThisRelease(format!(
                "it checks an answer of releases older than {OLDEST_ASSUMED}; set MAGENTO_VERSION to run it"
            )),
            (Coverage::Some, Some(version)) => GateVerdict::NeedsVersion(format!(
                "MAGENTO_VERSION={version} names a whole line; set the release with its patch level (e.g. {version}.7 or {version}.6-p8): the answer changed in {releases}"
            )),
            (Coverage::Some, None) => {
                GateVerdict::NeedsVersion(format!("needs MAGENTO_VERSION: the answer changed in {releases}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(text: &str) -> MagentoVersion {
        text.parse().unwrap()
    }

    fn gate(tag: &str) -> ReleaseGate {
        ReleaseGate::from_tag(tag).unwrap().unwrap()
    }

    fn runs(tag: &str, version: &str) -> bool {
        match gate(tag).verdict(Some(&v(version))) {
            GateVerdict::Runs => true,
            GateVerdict::NotThisRelease(_) => false,
            GateVerdict::NeedsVersion(reason) => panic!("{tag} on {version}: undecided ({reason})"),
        }
    }

    const GUARD: &str = "since-2.4.4-p12,2.4.5-p11,2.4.6-p9,2.4.7";

    #[test]
    fn versions_order_as_magento_numbers_them() {
        assert!(v("2.4.6") < v("2.4.6-p1"));
        assert!(v("2.4.6-p1") < v("2.4.6-p8"));
        assert!(v("2.4.6-p8") < v("2.4.6-p10"));
        assert!(v("2.4.6-p10") < v("2.4.7"));
        assert!(v("2.4.9") < v("2.4.10"));
        assert_eq!(v("2.4.6-p8").to_string(), "2.4.6-p8");
    }

    #[test]
    fn garbage_is_a_one_line_error_naming_the_input() {
        for bad in [
            "",
            "two",
            "2",
            "2.4.",
            "2.4.6-p",
            "2.4.6-p0",
            "2.4-p1",
            "2.4.6p8",
            "+2.4",
            "2.4.6 -p1",
            "2.4.6-p8-p1",
            "1.2.3.4",
            "2.4.99999999999",
        ] {
            let error = bad.parse::<MagentoVersion>().expect_err(bad).to_string();
            assert!(error.contains(&format!("{bad:?}")) && !error.contains('\n'), "{error}");
        }
    }

    #[test]
    fn the_group_guard_set_holds_exactly_its_patch_levels() {
        for (version, has_guard) in [
            ("2.4.4-p11", false),
            ("2.4.4-p12", true),
            ("2.4.4-p13", true),
            ("2.4.5-p10", false),
            ("2.4.5-p11", true),
            ("2.4.6", false),
            ("2.4.6-p8", false),
            ("2.4.6-p9", true),
            ("2.4.6-p11", true),
            ("2.4.7", true),
            ("2.4.7-p3", true),
            ("2.4.8", true),
            ("2.4.3-p3", false),
            ("2.3.7-p4", false),
        ] {
            assert_eq!(runs(GUARD, version), has_guard, "{version}");
            assert_eq!(
                runs(&GUARD.replace("since", "before"), version),
                !has_guard,
                "{version}"
            );
        }
    }

    #[test]
    fn a_version_spanning_the_change_needs_a_patch_level() {
        assert!(matches!(
            gate(GUARD).verdict(Some(&v("2.4"))),
            GateVerdict::NeedsVersion(_)
        ));
        assert!(matches!(
            gate("since-2.4.8").verdict(Some(&v("2.4"))),
            GateVerdict::NeedsVersion(_)
        ));
        assert!(runs("since-2.3.3", "2.4"));
        assert!(!runs("since-2.5.0", "2.4"));
    }

    #[test]
    fn without_a_version_only_changes_before_the_oldest_assumed_release_are_decided() {
        let reason = |tag: &str| match gate(tag).verdict(None) {
            GateVerdict::NeedsVersion(reason) => reason,
            other => panic!("{tag}: {other:?}"),
        };
        assert_eq!(
            reason("since-2.4.8"),
            "needs MAGENTO_VERSION: the answer changed in 2.4.8"
        );
        assert_eq!(
            reason(GUARD),
            "needs MAGENTO_VERSION: the answer changed in 2.4.4-p12, 2.4.5-p11, 2.4.6-p9 and 2.4.7"
        );
        assert_eq!(gate("since-2.4.2").verdict(None), GateVerdict::Runs);
        assert!(matches!(
            gate("before-2.4.2").verdict(None),
            GateVerdict::NotThisRelease(_)
        ));
    }

    #[test]
    fn gate_lists_must_be_in_order_and_one_per_line() {
        assert!(ReleaseGate::from_tag("since-2.4.7,2.4.6-p9").unwrap().is_err());
        assert!(ReleaseGate::from_tag("since-2.4.6-p9,2.4.6-p10").unwrap().is_err());
        assert!(ReleaseGate::from_tag("since-").unwrap().is_err());
        assert!(ReleaseGate::from_tag("contract-4.3").is_none());
    }

    #[test]
    fn ranges_take_patch_levels_and_whole_lines() {
        assert!(range_matches("2.4.0-2.4.8", "2.4.8-p3").unwrap());
        assert!(!range_matches("2.4.9-", "2.4.8-p3").unwrap());
        assert!(range_matches("-2.4.4-p13", "2.4.4-p13").unwrap());
        assert!(!range_matches("-2.4.4-p13", "2.4.5").unwrap());
        assert!(range_matches("2.4.6-p8", "2.4.6-p8").unwrap());
        assert!(!range_matches("2.4.6-p8", "2.4.6-p9").unwrap());
        assert!(range_matches("2.4.0-2.4.8", "2.4").unwrap());
        assert!(range_matches("2.4.9-", "2.4").unwrap());
        assert!(!range_matches("-2.3.7", "2.4").unwrap());
        assert!(range_matches("2.4.9-", "2.4.10").unwrap());
    }

    #[test]
    fn bad_ranges_are_errors() {
        assert!(range_matches("two", "2.4").is_err());
        assert!(range_matches("2.4.0-2.4.8", "2").is_err());
        assert!(range_matches("2.4.8-2.4.0", "2.4").is_err());
        assert!(range_matches("-", "2.4").is_err());
        assert!(range_matches("2.3-2.4-2.5", "2.4").is_err());
    }

    #[test]
    fn unset_means_any_release_from_the_oldest_assumed_on() {
        let unset = VersionRange::possible(None);
        assert!(unset.overlaps(&"2.4.4-".parse().unwrap()));
        assert!(unset.overlaps(&"2.4.9-".parse().unwrap()));
        assert!(!unset.overlaps(&"-2.4.3-p3".parse().unwrap()));
    }

    fn any_version() -> impl Strategy<Value = MagentoVersion> {
        (
            2u32..3,
            0u32..6,
            proptest::option::of(0u32..12),
            proptest::option::of(1u32..15),
        )
            .prop_map(|(major, minor, patch, level)| MagentoVersion {
                major,
                minor,
                patch,
                security_patch: patch.and(level),
            })
    }

    fn any_release() -> impl Strategy<Value = MagentoVersion> {
        (2u32..3, 0u32..6, 0u32..12, proptest::option::of(1u32..15))
            .prop_map(|(major, minor, patch, level)| MagentoVersion::release(major, minor, patch, level))
    }

    proptest! {
        #[test]
        fn versions_print_as_they_parse(version in any_version()) {
            prop_assert_eq!(version.to_string().parse::<MagentoVersion>(), Ok(version));
        }

        #[test]
        fn release_order_is_the_order_of_their_numbers(a in any_release(), b in any_release()) {
            prop_assert_eq!(a.cmp(&b), a.low().cmp(&b.low()));
        }

        /// A gate decides a release exactly as membership does, and `@before` is its complement.
        #[test]
        fn gates_agree_with_membership(
            entries in proptest::collection::btree_set(any_release(), 1..4),
            release in any_release(),
        ) {
            let mut list: Vec<MagentoVersion> = Vec::new();
            for entry in entries {
                if list.last().is_none_or(|last| last.line_end() < entry.low()) {
                    list.push(entry);
                }
            }
            let text = list.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
            let since: SinceReleases = text.parse().unwrap();
            let inside = since.contains(release.low());
            let verdict = ReleaseGate::Since(since.clone()).verdict(Some(&release));
            prop_assert_eq!(verdict == GateVerdict::Runs, inside);
            let verdict = ReleaseGate::Before(since).verdict(Some(&release));
            prop_assert_eq!(verdict == GateVerdict::Runs, !inside);
        }

        /// A whole line is decided only when all its releases agree.
        #[test]
        fn a_line_is_decided_only_when_every_release_agrees(
            entry in any_release(),
            line in (2u32..3, 0u32..6),
        ) {
            let since: SinceReleases = entry.to_string().parse().unwrap();
            let configured = MagentoVersion { major: line.0, minor: line.1, patch: None, security_patch: None };
            let members: Vec<bool> = (0..14)
                .flat_map(|patch| (0..16).map(move |level| (patch, level)))
                .map(|(patch, level)| since.contains((line.0, line.1, patch, level)))
                .collect();
            match ReleaseGate::Since(since).verdict(Some(&configured)) {
                GateVerdict::Runs => prop_assert!(members.iter().all(|m| *m)),
                GateVerdict::NotThisRelease(_) => prop_assert!(members.iter().all(|m| !*m)),
                GateVerdict::NeedsVersion(_) => {}
            }
            if members.iter().any(|m| *m) && members.iter().any(|m| !*m) {
                prop_assert!(matches!(ReleaseGate::Since(entry.to_string().parse().unwrap()).verdict(Some(&configured)), GateVerdict::NeedsVersion(_)));
            }
        }

        #[test]
        fn parsing_never_panics(text in "[0-9.p-]{0,12}") {
            let _ = text.parse::<MagentoVersion>();
            let _ = text.parse::<VersionRange>();
            let _ = text.parse::<SinceReleases>();
        }
    }
}
