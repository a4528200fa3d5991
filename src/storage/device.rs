//! Every response kept on this device, read one way for the reports on them: the results page
//! and the dashboard's local-only mode. Responses are handed over one at a time as they are
//! read, so a report adds each to its statistics and no list of them all is ever made, except
//! by an export, which needs them all at once.

use manyi_core::Response;

use super::{StorageError, Store, outbox, outbox_idb};

/// What got in the way of reading the responses on this device.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Read {
    /// How many entries of the local-storage outbox this version cannot read.
    pub unreadable: usize,
    /// Each outbox that could not be read to the end. The responses passed on are then the
    /// other outbox's, and any the failed one had passed on before it failed.
    pub problems: Vec<StorageError>,
}

impl Read {
    /// Nothing, or the first problem met, when a report must not leave any response out.
    pub fn complete(mut self) -> Result<(), StorageError> {
        match self.problems.is_empty() {
            true => Ok(()),
            false => Err(self.problems.swap_remove(0)),
        }
    }
}

/// Calls `each` with every response kept on this device as it is read: the local-storage
/// outbox's, then a kiosk's IndexedDB outbox's where this browser ran one. Without local
/// storage (`store` is `None`) only the database is read; a device that never ran a kiosk has
/// no database, which is no problem.
pub async fn each_response(store: Option<&Store>, mut each: impl FnMut(Response)) -> Read {
    let mut read = Read::default();
    match store.map(|store| outbox::for_each(store, |entry| each(entry.response))) {
        Some(Ok(unreadable)) => read.unreadable = unreadable,
        Some(Err(error)) => read.problems.push(error),
        None => {}
    }
    match outbox_idb::for_each_entry(|entry| each(entry.response)).await {
        Ok(()) | Err(StorageError::Unavailable) => {}
        Err(error) => read.problems.push(error),
    }
    read
}

/// How many responses each survey has, by survey id, in the order each survey's first
/// response arrived.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts(pub Vec<(String, usize)>);

impl Counts {
    /// Counts one more response to survey `id`. A device holds responses to a handful of
    /// surveys, so a list searched in order is all it takes.
    pub fn add(&mut self, id: &str) {
        match self.0.iter_mut().find(|(known, _)| known == id) {
            Some((_, n)) => *n += 1,
            None => self.0.push((id.to_owned(), 1)),
        }
    }
}

/// The surveys with responses on this device and how many each has.
pub async fn surveys(store: Option<&Store>) -> (Counts, Read) {
    let mut counts = Counts::default();
    let read = each_response(store, |response| counts.add(&response.survey_id)).await;
    (counts, read)
}

/// Every response to survey `id`, for what needs them all at once: an export.
pub async fn of_survey(store: Option<&Store>, id: &str) -> (Vec<Response>, Read) {
    let mut responses = Vec::new();
    let read = each_response(store, |response| {
        if response.survey_id == id {
            responses.push(response);
        }
    })
    .await;
    (responses, read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surveys_are_counted_in_order_of_arrival() {
        let mut counts = Counts::default();
        for id in ["csat", "nps", "csat", "csat"] {
            counts.add(id);
        }
        assert_eq!(counts.0, [("csat".to_owned(), 3), ("nps".to_owned(), 1)]);
    }

    #[test]
    fn a_complete_read_is_one_without_problems() {
        let fine = Read {
            unreadable: 2,
            problems: Vec::new(),
        };
        assert_eq!(fine.complete(), Ok(()));
        let partial = Read {
            problems: vec![StorageError::Unavailable, StorageError::QuotaExceeded],
            ..Default::default()
        };
        assert_eq!(partial.complete(), Err(StorageError::Unavailable));
    }
}
