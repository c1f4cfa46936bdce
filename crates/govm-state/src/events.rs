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
