//! Path globs for faults: `*` stays within one segment, `**` (a whole segment) spans any
//! number of segments, including none.

pub(crate) fn matches(glob: &str, path: &str) -> bool {
    let pattern: Vec<&str> = glob.trim_start_matches('/').split('/').collect();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match_segments(&pattern, &segments)
}

fn match_segments(pattern: &[&str], segments: &[&str]) -> bool {
    match pattern.split_first() {
        None => segments.is_empty(),
        Some((&"**", rest)) => (0..=segments.len()).any(|skip| {
            segments
                .get(skip..)
                .is_some_and(|tail| match_segments(rest, tail))
        }),
        Some((first, rest)) => match segments.split_first() {
            Some((segment, tail)) => {
                match_one(first.as_bytes(), segment.as_bytes()) && match_segments(rest, tail)
            }
            None => false,
        },
    }
}

/// `*` matches any run of characters of one segment; everything else is literal.
fn match_one(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => {
            (0..=text.len()).any(|skip| text.get(skip..).is_some_and(|tail| match_one(rest, tail)))
        }
        Some((c, rest)) => match text.split_first() {
            Some((t, tail)) => c == t && match_one(rest, tail),
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn single_star_stays_in_its_segment() {
        assert!(matches(
            "/api/v1/org-unit/projects/*",
            "/api/v1/org-unit/projects/12"
        ));
        assert!(!matches(
            "/api/v1/org-unit/projects/*",
            "/api/v1/org-unit/projects/12/resources"
        ));
        assert!(matches("/api/v1/*/projects", "/api/v1/org-unit/projects"));
        assert!(matches("/api/v1/pro*", "/api/v1/projects"));
    }

    #[test]
    fn double_star_spans_segments() {
        assert!(matches("/api/**", "/api/v1/org-unit/projects/12"));
        assert!(matches("**", "/api/v1/token"));
        assert!(matches("/api/**/projects", "/api/projects"));
        assert!(!matches("/api/**/projects", "/api/v1/clusters"));
    }

    #[test]
    fn literals_must_match() {
        assert!(matches("/api/v1/token", "/api/v1/token"));
        assert!(!matches("/api/v1/token", "/api/v2/token"));
    }
}
