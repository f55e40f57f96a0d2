//! String interning for the event store: each distinct text is kept once and
//! named by a [`Sym`]. Single-owner (the pipeline's main loop); no locking.
//!
//! All text lives in one growing arena; a hash table holds only symbols and
//! compares through the arena, so a unique string (a session id, say) costs
//! its bytes plus about 13 bytes, not two boxed copies.

use crate::event::Sym;
use hashbrown::HashTable;
use std::hash::{BuildHasher, Hasher};

/// Interned strings. `Sym(0)` is always the empty string.
pub struct Interner {
    /// Every string, back to back.
    arena: String,
    /// Where each symbol's text ends in `arena` (symbol n spans ends[n-1]..ends[n]).
    ends: Vec<u32>,
    table: HashTable<Sym>,
    hasher: rustc_hash::FxBuildHasher,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner")
            .field("strings", &self.len())
            .field("bytes", &self.arena.len())
            .finish()
    }
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            arena: String::new(),
            ends: vec![0],
            table: HashTable::new(),
            hasher: rustc_hash::FxBuildHasher,
        }
    }
}

impl Interner {
    fn hash(&self, s: &str) -> u64 {
        let mut h = self.hasher.build_hasher();
        h.write(s.as_bytes());
        h.finish()
    }

    pub fn intern(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return Sym::NONE;
        }
        let hash = self.hash(s);
        let (arena, ends) = (&self.arena, &self.ends);
        let eq = |sym: &Sym| span(arena, ends, *sym) == s;
        if let Some(&sym) = self.table.find(hash, eq) {
            return sym;
        }
        let sym = Sym(self.ends.len() as u32);
        self.arena.push_str(s);
        self.ends.push(self.arena.len() as u32);
        let (arena, ends, hasher) = (&self.arena, &self.ends, &self.hasher);
        self.table.insert_unique(hash, sym, |sym| {
            let mut h = hasher.build_hasher();
            h.write(span(arena, ends, *sym).as_bytes());
            h.finish()
        });
        sym
    }

    /// The symbol for `s` if it was ever interned (never inserts).
    pub fn lookup(&self, s: &str) -> Option<Sym> {
        if s.is_empty() {
            return Some(Sym::NONE);
        }
        let (arena, ends) = (&self.arena, &self.ends);
        self.table
            .find(self.hash(s), |sym| span(arena, ends, *sym) == s)
            .copied()
    }

    pub fn resolve(&self, sym: Sym) -> &str {
        span(&self.arena, &self.ends, sym)
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.len() <= 1
    }

    /// Approximate heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.arena.capacity() + self.ends.capacity() * 4 + self.table.capacity() * 5
    }
}

fn span<'a>(arena: &'a str, ends: &[u32], sym: Sym) -> &'a str {
    let i = sym.0 as usize;
    if i == 0 || i >= ends.len() {
        return "";
    }
    arena
        .get(ends[i - 1] as usize..ends[i] as usize)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_once_and_resolves() {
        let mut i = Interner::default();
        let a = i.intern("alice");
        let b = i.intern("bob");
        assert_eq!(i.intern("alice"), a);
        assert_ne!(a, b);
        assert_eq!(i.resolve(b), "bob");
        assert_eq!(i.resolve(a), "alice");
        assert_eq!(i.intern(""), Sym::NONE);
        assert_eq!(i.lookup("carol"), None);
        assert_eq!(i.lookup("bob"), Some(b));
        assert_eq!(i.resolve(Sym(999)), "");
    }

    #[test]
    fn many_strings_survive_table_growth() {
        let mut i = Interner::default();
        let syms: Vec<Sym> = (0..10_000)
            .map(|n| i.intern(&format!("session-{n}")))
            .collect();
        for (n, s) in syms.iter().enumerate() {
            assert_eq!(i.resolve(*s), format!("session-{n}"));
            assert_eq!(i.lookup(&format!("session-{n}")), Some(*s));
        }
        assert_eq!(i.len(), 10_001);
    }
}
