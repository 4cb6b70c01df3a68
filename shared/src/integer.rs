//! Integer fields of request bodies, read as JSON Schema reads them: a number with
//! no fractional part is an integer however it is written, so `183`, `183.0` and
//! `1.83e2` are all 183, while `183.5` is refused (and so are negative numbers and
//! numbers past the field's type). The OpenAPI document says `"type": "integer"`;
//! serde's own `u32` would refuse `183.0`, which the document allows.
//!
//! Every integer field of a request body is read with [`option`]:
//! `#[serde(default, deserialize_with = "crate::integer::option")]`. A refusal is a
//! serde error naming the value (`invalid value: floating point `183.5`, expected
//! an integer`), so the API answers it like any other bad body: 400 `bad_request`.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// An optional integer field: absent or `null` is `None`; an integral number, in
/// any JSON form, that fits `T` is `Some`.
pub fn option<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<u64>,
{
    Ok(Option::<Integral<T>>::deserialize(deserializer)?.map(|Integral(value)| value))
}

/// A non-negative integer of type `T`, from any JSON number without a fraction.
struct Integral<T>(T);

impl<'de, T: TryFrom<u64>> Deserialize<'de> for Integral<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntegralVisitor(PhantomData))
    }
}

struct IntegralVisitor<T>(PhantomData<T>);

impl<T: TryFrom<u64>> IntegralVisitor<T> {
    fn fit<E: de::Error>(value: u64, unexpected: de::Unexpected<'_>) -> Result<Integral<T>, E> {
        T::try_from(value)
            .map(Integral)
            .map_err(|_| E::invalid_value(unexpected, &Expected::<T>(PhantomData)))
    }
}

/// "a non-negative integer of at most N" (N being `T`'s largest value).
struct Expected<T>(PhantomData<T>);

impl<T: TryFrom<u64>> de::Expected for Expected<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The largest u64 that fits T: the type's bound, for the message.
        let max = [
            u64::MAX,
            u64::from(u32::MAX),
            u64::from(u16::MAX),
            u64::from(u8::MAX),
        ]
        .into_iter()
        .find(|&max| T::try_from(max).is_ok())
        .unwrap_or(0);
        write!(f, "a non-negative integer of at most {max}")
    }
}

impl<'de, T: TryFrom<u64>> Visitor<'de> for IntegralVisitor<T> {
    type Value = Integral<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        de::Expected::fmt(&Expected::<T>(PhantomData), f)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Self::fit(value, de::Unexpected::Unsigned(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        match u64::try_from(value) {
            Ok(value) => self.visit_u64(value),
            Err(_) => Err(E::invalid_value(
                de::Unexpected::Signed(value),
                &Expected::<T>(PhantomData),
            )),
        }
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        let unexpected = de::Unexpected::Float(value);
        if !value.is_finite() || value.fract() != 0.0 {
            return Err(E::invalid_value(unexpected, &"an integer"));
        }
        // 2^64 is exactly representable, and every integral f64 below it fits a
        // u64 (-0.0 is 0).
        if !(0.0..18_446_744_073_709_551_616.0).contains(&value) {
            return Err(E::invalid_value(unexpected, &Expected::<T>(PhantomData)));
        }
        Self::fit(value as u64, unexpected)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Body {
        #[serde(default, deserialize_with = "super::option")]
        days: Option<u32>,
        #[serde(default, deserialize_with = "super::option")]
        big: Option<u64>,
    }

    fn parse(json: &str) -> Result<Body, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn integral_numbers_in_any_form_are_integers() {
        for json in [
            r#"{"days": 183}"#,
            r#"{"days": 183.0}"#,
            r#"{"days": 1.83e2}"#,
            r#"{"days": 18300e-2}"#,
        ] {
            assert_eq!(parse(json).unwrap().days, Some(183), "{json}");
        }
        assert_eq!(parse(r#"{"days": -0.0}"#).unwrap().days, Some(0));
        assert_eq!(
            parse("{}").unwrap(),
            Body {
                days: None,
                big: None
            }
        );
        assert_eq!(parse(r#"{"days": null}"#).unwrap().days, None);
        assert_eq!(
            parse(r#"{"big": 18446744073709551615}"#).unwrap().big,
            Some(u64::MAX)
        );
        assert_eq!(parse(r#"{"big": 4096.0}"#).unwrap().big, Some(4096));
    }

    #[test]
    fn fractions_negatives_and_overflows_are_refused_naming_the_value() {
        for (json, says) in [
            (
                r#"{"days": 183.5}"#,
                "floating point `183.5`, expected an integer",
            ),
            (
                r#"{"days": -1}"#,
                "integer `-1`, expected a non-negative integer",
            ),
            (
                r#"{"days": -1.0}"#,
                "floating point `-1.0`, expected a non-negative integer",
            ),
            (
                r#"{"days": 4294967296}"#,
                "integer `4294967296`, expected a non-negative integer of at most 4294967295",
            ),
            (
                r#"{"days": 4294967296.0}"#,
                "expected a non-negative integer of at most 4294967295",
            ),
            (
                r#"{"big": 1e20}"#,
                "floating point `1e+20`, expected a non-negative integer of at most 18446744073709551615",
            ),
            (r#"{"days": "7"}"#, "invalid type: string \"7\""),
            (r#"{"days": true}"#, "invalid type: boolean `true`"),
        ] {
            let error = parse(json).unwrap_err();
            assert!(error.contains(says), "{json}: {error}");
        }
    }
}
