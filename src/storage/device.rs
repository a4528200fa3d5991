//! Every response kept on this device, read one way for the reports on them: the results page
//! and the dashboard's local-only mode.

use manyi_core::Response;

use super::outbox::{self, OutboxEntry};
use super::{StorageError, Store, outbox_idb};

/// The responses kept on this device, with what got in the way of reading them.
#[derive(Debug, Clone, Default)]
pub struct DeviceResponses {
    /// Every readable entry: the local-storage outbox's, then a kiosk's IndexedDB outbox's
    /// where this browser ran one.
    pub entries: Vec<OutboxEntry>,
    /// How many entries of the local-storage outbox this version cannot read.
    pub unreadable: usize,
    /// Each outbox that could not be read; the entries are then the other's alone.
    pub problems: Vec<StorageError>,
}

/// Reads both outboxes. Without local storage (`store` is `None`) only the database is read; a
/// device that never ran a kiosk has no database, which is no problem.
pub async fn responses(store: Option<&Store>) -> DeviceResponses {
    let mut found = DeviceResponses::default();
    match store.map(outbox::load) {
        Some(Ok((entries, unreadable))) => {
            found.entries = entries;
            found.unreadable = unreadable;
        }
        Some(Err(error)) => found.problems.push(error),
        None => {}
    }
    match outbox_idb::all_entries().await {
        Ok(kept) => found.entries.extend(kept),
        Err(StorageError::Unavailable) => {}
        Err(error) => found.problems.push(error),
    }
    found
}

impl DeviceResponses {
    /// The responses, or the first problem met when a report must not leave any out.
    pub fn complete(mut self) -> Result<DeviceResponses, StorageError> {
        match self.problems.is_empty() {
            true => Ok(self),
            false => Err(self.problems.swap_remove(0)),
        }
    }

    /// The responses by survey id, in the order each survey's first response arrived.
    pub fn by_survey(self) -> Vec<(String, Vec<Response>)> {
        let mut surveys: Vec<(String, Vec<Response>)> = Vec::new();
        for entry in self.entries {
            let response = entry.response;
            match surveys.iter_mut().find(|(id, _)| *id == response.survey_id) {
                Some((_, responses)) => responses.push(response),
                None => surveys.push((response.survey_id.clone(), vec![response])),
            }
        }
        surveys
    }

    /// The responses to survey `id`.
    pub fn of_survey(self, id: &str) -> Vec<Response> {
        self.entries
            .into_iter()
            .map(|entry| entry.response)
            .filter(|response| response.survey_id == id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{FixedOffset, TimeZone};

    use super::*;

    fn entry(id: &str, survey_id: &str) -> OutboxEntry {
        let survey = manyi_core::templates::get("nps").unwrap().unwrap();
        let at = FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 3, 1, 10, 0, 0)
            .unwrap();
        let response = Response {
            id: id.to_owned(),
            survey_id: survey_id.to_owned(),
            survey_version: 1,
            started_at: Some(at),
            submitted_at: Some(at),
            locale: None,
            answers: Default::default(),
            meta: Default::default(),
            partial: false,
        };
        OutboxEntry::new(&survey, response, at)
    }

    fn ids(responses: &[Response]) -> Vec<&str> {
        responses.iter().map(|r| r.id.as_str()).collect()
    }

    #[test]
    fn responses_group_by_survey_in_order_of_arrival() {
        let found = DeviceResponses {
            entries: vec![entry("1", "csat"), entry("2", "nps"), entry("3", "csat")],
            ..Default::default()
        };
        let groups = found.clone().by_survey();
        assert_eq!(groups.len(), 2);
        assert_eq!(
            (groups[0].0.as_str(), ids(&groups[0].1)),
            ("csat", vec!["1", "3"])
        );
        assert_eq!(
            (groups[1].0.as_str(), ids(&groups[1].1)),
            ("nps", vec!["2"])
        );
        assert_eq!(ids(&found.of_survey("csat")), ["1", "3"]);
    }

    #[test]
    fn a_complete_read_is_one_without_problems() {
        let fine = DeviceResponses {
            entries: vec![entry("1", "nps")],
            unreadable: 2,
            problems: Vec::new(),
        };
        assert_eq!(fine.complete().map(|f| f.entries.len()), Ok(1));
        let partial = DeviceResponses {
            problems: vec![StorageError::Unavailable],
            ..Default::default()
        };
        assert_eq!(
            partial.complete().map(|f| f.entries.len()),
            Err(StorageError::Unavailable)
        );
    }
}
