//! Punycode (RFC 3492) encoding, only as far as twitter-text needs it: a URL whose host has a
//! label longer than 63 characters once encoded is not a link, so it is counted as plain text.

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 0x80;
/// punycode.js (which twitter-text uses) refuses anything past a signed 32-bit integer.
const MAX_INT: u32 = 0x7FFF_FFFF;

fn adapt(delta: u32, num_points: u32, first_time: bool) -> u32 {
    let mut delta = if first_time { delta / DAMP } else { delta / 2 };
    delta += delta / num_points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
}

fn digit(d: u32) -> char {
    // 0..=25 are 'a'..='z', 26..=35 are '0'..='9'.
    let byte = if d < 26 {
        b'a' + d as u8
    } else {
        b'0' + (d - 26) as u8
    };
    char::from(byte)
}

/// The Punycode encoding of `input` (without the `xn--` prefix), or `None` on overflow.
pub(crate) fn encode(input: &[char]) -> Option<String> {
    let mut output: String = input.iter().filter(|c| c.is_ascii()).collect();
    let basic = output.len() as u32;
    let mut handled = basic;
    if basic > 0 {
        output.push('-');
    }
    let total = u32::try_from(input.len()).ok()?;
    let mut n = INITIAL_N;
    let mut delta: u32 = 0;
    let mut bias = INITIAL_BIAS;
    while handled < total {
        let m = input.iter().map(|&c| c as u32).filter(|&c| c >= n).min()?;
        let step = (m - n).checked_mul(handled + 1)?;
        delta = delta.checked_add(step).filter(|&d| d <= MAX_INT)?;
        n = m;
        for &c in input {
            let c = c as u32;
            if c < n {
                delta = delta.checked_add(1).filter(|&d| d <= MAX_INT)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    output.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                output.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(output)
}

#[cfg(test)]
mod tests {
    use super::encode;

    fn enc(s: &str) -> String {
        encode(&s.chars().collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn rfc_3492_samples() {
        assert_eq!(enc("münchen"), "mnchen-3ya");
        assert_eq!(enc("bücher"), "bcher-kva");
        assert_eq!(enc("ü"), "tda");
        // RFC 3492 section 7.1 (B): Chinese (simplified).
        assert_eq!(enc("他们为什么不说中文"), "ihqwcrb4cv8a8dqg056pqjye");
        // (L): Japanese with ASCII.
        assert_eq!(enc("3年B組金八先生"), "3B-ww4c5e180e575a65lsy2b");
    }
}
