//! The tenant's audit log as the store keeps it: one entry per change attempted through
//! the API, oldest first, bounded. What is recorded and when is `audit`'s business; the
//! wire shape is `wire::audit`.

use std::collections::VecDeque;

/// How many entries the log keeps before it drops the oldest. A real tenant keeps its
/// log for a period of time; a fake lives as long as a test process, where a time limit
/// would never bite but a long benchmark could grow the log without end.
pub(crate) const RETAINED: usize = 10_000;

/// One recorded change. Text fields hold the wire values (`User`/`App`, `create`,
/// `Succeeded`, ...) so that rendering is a copy.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct AuditEntry {
    pub id: String,
    /// The fixed-width UTC form of `store::now`, so text order is time order.
    pub timestamp: String,
    pub subject: String,
    pub subject_type: &'static str,
    pub action: &'static str,
    pub http_method: String,
    pub url: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub entity_name: Option<String>,
    pub succeeded: bool,
    pub http_status_code: u16,
    pub cluster_id: Option<String>,
    pub cluster_name: Option<String>,
    pub request_id: String,
}

#[derive(Debug, Default)]
pub(crate) struct AuditLog {
    entries: VecDeque<AuditEntry>,
}

impl AuditLog {
    pub fn push(&mut self, entry: AuditEntry) {
        if self.entries.len() >= RETAINED {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    /// Oldest first.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &AuditEntry> {
        self.entries.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_entries_go_once_the_log_is_full() {
        let mut log = AuditLog::default();
        for n in 0..=RETAINED {
            log.push(AuditEntry {
                id: n.to_string(),
                ..AuditEntry::default()
            });
        }
        assert_eq!(log.entries().count(), RETAINED);
        assert_eq!(log.entries().next().map(|e| e.id.as_str()), Some("1"));
        let newest = RETAINED.to_string();
        assert_eq!(log.entries().next_back().map(|e| &e.id), Some(&newest));
    }
}
