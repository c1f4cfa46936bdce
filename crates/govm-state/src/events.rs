//! Events: recorded by a transaction in order, written under a sequence number when it
//! commits, and read back from the committed state.

use crate::error::{Error, Result};
use crate::ids::AddressBytes;
use crate::keys::{self, key};
use crate::model::Event;
use crate::store::{State, Transaction};

impl Transaction {
    /// Records an event; it is committed with the transaction, in order.
    pub fn emit(&mut self, event: Event) -> Result<()> {
        if self.events.len().saturating_sub(self.scope.events) >= self.limits.max_events_per_tx {
            return Err(Error::LimitExceeded {
                what: "events per transaction",
                limit: self.limits.max_events_per_tx,
            });
        }
        self.events.push(event);
        Ok(())
    }

    /// The events recorded so far.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Moves the events into the write set. They were limited when emitted
    /// (`max_events_per_tx`), so they do not count against the write limit: a commit never
    /// fails for them.
    pub(crate) fn flush_events(&mut self) -> Result<()> {
        let events = std::mem::take(&mut self.events);
        if events.is_empty() {
            return Ok(());
        }
        let mut seq = self.read_counter(&[keys::EVENT_SEQ])?;
        for event in events {
            self.writes.insert(
                key(keys::CONTRACT_EVENT, &[&event.contract, &seq.to_be_bytes()]),
                Some(Vec::new()),
            );
            self.writes.insert(
                key(keys::EVENT, &[&seq.to_be_bytes()]),
                Some(event.encode()),
            );
            seq += 1;
        }
        self.writes
            .insert(vec![keys::EVENT_SEQ], Some(seq.to_be_bytes().to_vec()));
        Ok(())
    }
}

impl State {
    /// At most `limit` committed events after sequence number `after` (from the first with
    /// none), oldest first, each with its sequence number; with `contract`, only that
    /// contract's, read through its own index. The work is bounded by `limit` whatever the
    /// store holds, and a page never changes once written: events are only appended.
    pub fn events_page(
        &self,
        contract: Option<&AddressBytes>,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<(u64, Event)>> {
        let seq_of = |k: &[u8]| -> Result<u64> {
            k.len()
                .checked_sub(8)
                .and_then(|at| k[at..].try_into().ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| Error::Corrupt("event key".into()))
        };
        match contract {
            None => {
                let after = after.map(|s| key(keys::EVENT, &[&s.to_be_bytes()]));
                self.backend
                    .scan_page(&[keys::EVENT], after.as_deref(), limit)?
                    .into_iter()
                    .map(|(k, v)| Ok((seq_of(&k)?, Event::decode(&v)?)))
                    .collect()
            }
            Some(c) => {
                let prefix = key(keys::CONTRACT_EVENT, &[c]);
                let after = after.map(|s| key(keys::CONTRACT_EVENT, &[c, &s.to_be_bytes()]));
                self.backend
                    .scan_page(&prefix, after.as_deref(), limit)?
                    .into_iter()
                    .map(|(k, _)| {
                        let seq = seq_of(&k)?;
                        let stored = self
                            .backend
                            .get(&key(keys::EVENT, &[&seq.to_be_bytes()]))?
                            .ok_or_else(|| Error::Corrupt("event index".into()))?;
                        Ok((seq, Event::decode(&stored)?))
                    })
                    .collect()
            }
        }
    }

    /// Every committed event, oldest first; with `contract`, only that contract's.
    pub fn events(&self, contract: Option<&AddressBytes>) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        for (_, v) in self.backend.scan_prefix(&[keys::EVENT])? {
            let event = Event::decode(&v)?;
            if contract.is_none_or(|c| *c == event.contract) {
                out.push(event);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Event;
    use crate::store::State;
    use crate::store::fixtures::{BOB, deployed};

    #[test]
    fn events_read_by_page_are_stable_and_per_contract() {
        let state = State::in_memory();
        let a = deployed(&state);
        let b = [0xbb; 20];
        for round in 0..3u8 {
            let mut tx = state.begin();
            for (i, contract) in [a, b, a].into_iter().enumerate() {
                tx.emit(Event {
                    contract,
                    name: format!("E{round}{i}"),
                    data: Vec::new(),
                })
                .unwrap();
            }
            state.commit(tx).unwrap();
        }
        let names = |page: Vec<(u64, Event)>| -> Vec<(u64, String)> {
            page.into_iter().map(|(s, e)| (s, e.name)).collect()
        };
        let all = names(state.events_page(None, None, 4).unwrap());
        assert_eq!(all.len(), 4);
        let next = names(state.events_page(None, Some(all[3].0), 100).unwrap());
        assert_eq!(next.len(), 5);
        let mine = names(state.events_page(Some(&a), None, 3).unwrap());
        assert_eq!(
            mine.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
            ["E00", "E02", "E10"]
        );
        let rest = names(state.events_page(Some(&a), Some(mine[2].0), 3).unwrap());
        assert_eq!(
            rest.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
            ["E12", "E20", "E22"]
        );
        // The unpaged reading agrees.
        assert_eq!(state.events(Some(&a)).unwrap().len(), 6);
    }

    #[test]
    fn committed_events_keep_their_order() {
        let state = State::in_memory();
        let contract = deployed(&state);
        for round in 0..2u8 {
            let mut tx = state.begin();
            for i in 0..3u8 {
                tx.emit(Event {
                    contract,
                    name: format!("E{round}{i}"),
                    data: vec![i],
                })
                .unwrap();
            }
            state.commit(tx).unwrap();
        }
        let names: Vec<String> = state
            .events(Some(&contract))
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["E00", "E01", "E02", "E10", "E11", "E12"]);
        assert!(state.events(Some(&BOB)).unwrap().is_empty());
    }
}
