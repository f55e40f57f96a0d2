//! The verdict every spray-family detector (`password_spray`, `slow_spray`,
//! `distributed_spray`) gives a spray from the users that then signed in
//! from its source: none → an attempt, 1..=K → a spray with success, more →
//! shared egress (a NAT, proxy or shared network), suppressed. Each detector
//! keeps its own words (titles, verdict names, config keys); the judgement,
//! its risk and its suppression are said once here, for scanned findings and
//! for lake rows alike. No detector logic beyond that.

use super::describe::Outline;
use crate::finding::Suppression;

/// What the successful users make of a spray.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Nobody signed in from the source.
    Attempt,
    /// 1..=`max_success_users` users signed in.
    Success,
    /// More did: shared egress, suppressed.
    Shared,
}

/// A spray detector's configured risks, their config keys, and its K.
pub struct Risks {
    pub attempt: (u8, &'static str),
    pub success: (u8, &'static str),
    pub shared: (u8, &'static str),
    pub max_success_users: u32,
}

impl Verdict {
    /// The verdict for `ok` distinct users signing in from the source.
    pub fn of(ok: usize, max_success_users: u32) -> Verdict {
        if ok == 0 {
            Verdict::Attempt
        } else if ok <= max_success_users as usize {
            Verdict::Success
        } else {
            Verdict::Shared
        }
    }

    /// The verdict a lake row implies: suppressed is shared egress, a named
    /// user a success.
    pub fn of_outline(o: &Outline) -> Verdict {
        if o.suppressed {
            Verdict::Shared
        } else if o.success {
            Verdict::Success
        } else {
            Verdict::Attempt
        }
    }

    /// The configured risk of this verdict and its config key.
    pub fn risk(self, r: &Risks) -> (u8, &'static str) {
        match self {
            Verdict::Attempt => r.attempt,
            Verdict::Success => r.success,
            Verdict::Shared => r.shared,
        }
    }

    /// The suppression of shared egress (`note` says why), else none.
    pub fn suppression(self, note: impl FnOnce() -> String) -> Option<Suppression> {
        (self == Verdict::Shared).then(|| Suppression {
            entry: None,
            note: note(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn risks() -> Risks {
        Risks {
            attempt: (60, "a"),
            success: (90, "s"),
            shared: (20, "x"),
            max_success_users: 3,
        }
    }

    #[test]
    fn successful_users_decide_verdict_risk_and_suppression() {
        let r = risks();
        let cases = [
            (0, Verdict::Attempt, 60),
            (1, Verdict::Success, 90),
            (3, Verdict::Success, 90),
            (4, Verdict::Shared, 20),
        ];
        for (ok, want, risk) in cases {
            let v = Verdict::of(ok, r.max_success_users);
            assert_eq!((v, v.risk(&r).0), (want, risk), "{ok} users");
            assert_eq!(
                v.suppression(|| "n".into()).is_some(),
                want == Verdict::Shared
            );
        }
    }

    #[test]
    fn a_lake_row_reads_as_the_same_verdicts() {
        let o = |suppressed, success| Outline {
            suppressed,
            success,
        };
        assert_eq!(Verdict::of_outline(&o(false, false)), Verdict::Attempt);
        assert_eq!(Verdict::of_outline(&o(false, true)), Verdict::Success);
        assert_eq!(Verdict::of_outline(&o(true, true)), Verdict::Shared);
        assert_eq!(Verdict::of_outline(&o(true, false)).risk(&risks()).1, "x");
    }
}
