//! String interning for the event store: each distinct text is kept once and
//! named by a [`Sym`]. Single-owner (the pipeline's main loop); no locking.
//!
//! All text lives in one growing arena; a hash table holds only symbols and
//! compares through the arena, so a unique string (a session id, say) costs
//! its bytes plus about 13 bytes, not two boxed copies.

use crate::event::Sym;
use hashbrown::HashTable;

/// Interned strings. `Sym(0)` is always the empty string.
pub struct Interner {
    /// Every string, back to back.
    arena: String,
    /// Where each symbol's text ends in `arena` (symbol n spans ends[n-1]..ends[n]).
    ends: Vec<u32>,
    /// Each symbol with 32 bits of its string's hash, so that growing the
    /// table never reads the strings again, and a probe compares text only
    /// when those bits agree.
    table: HashTable<(Sym, u32)>,
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
        }
    }
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Sym {
        let hash = crate::event::text_hash(s);
        self.intern_hashed(s, hash)
    }

    /// Like [`Interner::intern`], with `hash` already computed by
    /// [`crate::event::text_hash`] (a batch's strings come with theirs).
    pub fn intern_hashed(&mut self, s: &str, hash: u64) -> Sym {
        debug_assert_eq!(hash, crate::event::text_hash(s));
        if s.is_empty() {
            return Sym::NONE;
        }
        let (arena, ends) = (&self.arena, &self.ends);
        let key = (hash >> 32) as u32;
        let eq = |&(sym, k): &(Sym, u32)| k == key && span(arena, ends, sym) == s;
        if let Some(&(sym, _)) = self.table.find(spread(key), eq) {
            return sym;
        }
        let sym = Sym(self.ends.len() as u32);
        self.arena.push_str(s);
        self.ends.push(self.arena.len() as u32);
        self.table
            .insert_unique(spread(key), (sym, key), |&(_, k)| spread(k));
        sym
    }

    /// The symbol for `s` if it was ever interned (never inserts).
    pub fn lookup(&self, s: &str) -> Option<Sym> {
        if s.is_empty() {
            return Some(Sym::NONE);
        }
        let (arena, ends) = (&self.arena, &self.ends);
        let key = (crate::event::text_hash(s) >> 32) as u32;
        self.table
            .find(spread(key), |&(sym, k)| {
                k == key && span(arena, ends, sym) == s
            })
            .map(|&(sym, _)| sym)
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
        self.arena.capacity() + self.ends.capacity() * 4 + self.table.capacity() * 9
    }
}

/// The table's hash, made from the 32 kept bits (multiplied so that both the
/// bucket bits and the tag bits hashbrown takes from it vary).
fn spread(key: u32) -> u64 {
    u64::from(key).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The text of `sym`: `ends[sym-1]..ends[sym]`; "" for `Sym::NONE` and for
/// a symbol this interner never gave out.
fn span<'a>(arena: &'a str, ends: &[u32], sym: Sym) -> &'a str {
    let i = sym.0 as usize;
    match i.checked_sub(1).and_then(|prev| ends.get(prev..=i)) {
        Some(&[start, end]) => arena.get(start as usize..end as usize).unwrap_or_default(),
        _ => "",
    }
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
        assert_eq!(i.resolve(Sym::NONE), "");
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
