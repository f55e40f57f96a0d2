//! String interning for the event store: each distinct text is kept once and
//! named by a [`Sym`]. Single-owner (the pipeline's main loop); no locking.

use crate::event::Sym;
use rustc_hash::FxHashMap;

/// Interned strings. `Sym(0)` is always the empty string.
#[derive(Debug)]
pub struct Interner {
    map: FxHashMap<Box<str>, Sym>,
    strings: Vec<Box<str>>,
    bytes: usize,
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            map: FxHashMap::default(),
            strings: vec![Box::from("")],
            bytes: 0,
        }
    }
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return Sym::NONE;
        }
        if let Some(&sym) = self.map.get(s) {
            return sym;
        }
        let sym = Sym(self.strings.len() as u32);
        let boxed: Box<str> = Box::from(s);
        self.bytes += boxed.len();
        self.strings.push(boxed.clone());
        self.map.insert(boxed, sym);
        sym
    }

    /// The symbol for `s` if it was ever interned (never inserts).
    pub fn lookup(&self, s: &str) -> Option<Sym> {
        if s.is_empty() {
            return Some(Sym::NONE);
        }
        self.map.get(s).copied()
    }

    pub fn resolve(&self, sym: Sym) -> &str {
        self.strings
            .get(sym.0 as usize)
            .map(|s| &**s)
            .unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.len() <= 1
    }

    /// Approximate heap bytes held (strings twice: map key and vector).
    pub fn heap_bytes(&self) -> usize {
        self.bytes * 2 + self.strings.capacity() * 16 + self.map.capacity() * 24
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
        assert_eq!(i.intern(""), Sym::NONE);
        assert_eq!(i.lookup("carol"), None);
    }
}
