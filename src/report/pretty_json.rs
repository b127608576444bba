//! serde_json's pretty layout, written straight into a byte buffer.
//!
//! A monorepo's JSON report is tens of megabytes (48 MB for 1,250 services,
//! scripts/bench.sh), and serialising it through serde_json was a ninth of
//! such a scan's instructions: serde_json looks at a string one byte at a
//! time and passes every fragment through its `Formatter` and an
//! `io::Result`. This writes the same bytes (two spaces a level, `": "`
//! after a key, `[]` and `{}` when empty, serde_json's escapes and number
//! forms) and checks eight bytes at a time for the few that need escaping.
//! What it does not write exactly as serde_json does (a map key that is not
//! a string, byte strings, 128-bit integers: none are in the report) is an
//! [`Unsupported`] error, and the caller renders that value with serde_json.

use std::fmt;

use serde::ser::{self, Serialize};

/// `value` as `serde_json::to_string_pretty` writes it, starting `depth`
/// levels in (the first line is not indented: the caller places it).
pub fn write<T: Serialize + ?Sized>(
    value: &T,
    depth: usize,
    out: &mut Vec<u8>,
) -> Result<(), Unsupported> {
    value.serialize(&mut Pretty { out, depth })
}

/// A value this writer leaves to serde_json.
#[derive(Debug)]
pub struct Unsupported(String);

/// A comma, a line break and 128 spaces: the text before an item or a key
/// at any depth up to 64 is a slice of it (without the comma for a
/// container's first), written in one go. Shared with json.rs's `Nested`.
pub(super) const COMMA_LINE: &[u8; 2 + 128] = &{
    let mut line = [b' '; 2 + 128];
    line[0] = b',';
    line[1] = b'\n';
    line
};

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Unsupported(msg.to_string())
    }
}

fn unsupported<T>(what: &str) -> Result<T, Unsupported> {
    Err(Unsupported(format!("{what} is left to serde_json")))
}

struct Pretty<'a> {
    out: &'a mut Vec<u8>,
    depth: usize,
}

impl Pretty<'_> {
    fn open(&mut self, bracket: u8) {
        self.depth += 1;
        self.out.push(bracket);
    }

    /// A container's end: on a line of its own unless it is empty.
    fn close(&mut self, bracket: u8, empty: bool) {
        self.depth -= 1;
        if !empty {
            self.line(false);
        }
        self.out.push(bracket);
    }

    /// The comma (but before a container's first value), line break and
    /// indent before a value or a key.
    fn line(&mut self, comma: bool) {
        let width = 2 * self.depth;
        let from = usize::from(!comma);
        match COMMA_LINE.get(from..2 + width) {
            Some(line) => self.out.extend_from_slice(line),
            None => {
                self.out.extend_from_slice(&COMMA_LINE[from..2]);
                self.out.resize(self.out.len() + width, b' ');
            }
        }
    }

    fn key(&mut self, first: bool, key: &str) {
        self.line(!first);
        string(self.out, key);
        self.out.extend_from_slice(b": ");
    }

    /// A struct field's `"name": ` after its line break and indent, in one
    /// reservation and four copies. Field names are this crate's own
    /// identifiers (and serde renames of them): a report has millions of
    /// them (a 48 MB report of 1,250 services), and scanning each for
    /// escapes as repository text is scanned was a twentieth of a scan's
    /// instructions. A name that would need an escape still gets one.
    fn field_key(&mut self, first: bool, key: &'static str) {
        let plain = key
            .bytes()
            .fold(true, |plain, b| plain & (ESCAPE[usize::from(b)] == 0));
        let width = 2 * self.depth;
        let from = usize::from(first);
        match COMMA_LINE.get(from..2 + width) {
            Some(line) if plain => {
                self.out.reserve(line.len() + key.len() + 4);
                self.out.extend_from_slice(line);
                self.out.push(b'"');
                self.out.extend_from_slice(key.as_bytes());
                self.out.extend_from_slice(b"\": ");
            }
            _ => self.key(first, key),
        }
    }

    /// `{ "variant": ` of an enum variant with content, as serde_json
    /// writes it: an object of one key.
    fn variant(&mut self, variant: &str) {
        self.open(b'{');
        self.key(true, variant);
    }
}

/// serde_json's escapes: `\"`, `\\`, the short forms of five control
/// characters, `\u00XX` for the others; everything else as it is.
const ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Whether any of eight bytes is a control character, `"` or `\` (the
/// classic word-at-a-time tests for a byte below a bound and a zero byte).
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    below_space | zero(word ^ (ONES * u64::from(b'"'))) | zero(word ^ (ONES * u64::from(b'\\')))
        != 0
}

fn string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    loop {
        // Most text has nothing to escape: skip it a word at a time, then
        // byte by byte to the escape in the word (or in the short tail).
        while let Some(word) = bytes
            .get(i..i + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            && !needs_escape(u64::from_ne_bytes(word))
        {
            i += 8;
        }
        // The last few bytes (most of a short string such as a rule id or a
        // fingerprint), padded with spaces, which need no escape: one word
        // test instead of a table lookup per byte.
        let tail = &bytes[i..];
        if tail.len() < 8 {
            let mut word = [b' '; 8];
            word[..tail.len()].copy_from_slice(tail);
            if !needs_escape(u64::from_ne_bytes(word)) {
                break;
            }
        }
        let Some(n) = bytes[i..].iter().position(|&b| ESCAPE[usize::from(b)] != 0) else {
            break;
        };
        i += n;
        let b = bytes[i];
        out.extend_from_slice(&bytes[start..i]);
        match ESCAPE[usize::from(b)] {
            b'u' => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
            short => out.extend_from_slice(&[b'\\', short]),
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

fn unsigned(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

fn signed(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    unsigned(out, n.unsigned_abs());
}

/// A float as serde_json writes it (shortest round-trip form, `null` when
/// not finite): serde_json itself writes it.
fn float<T: Serialize>(out: &mut Vec<u8>, v: T) -> Result<(), Unsupported> {
    serde_json::to_writer(out, &v).map_err(|e| Unsupported(e.to_string()))
}

/// A list, map, struct or tuple being written.
pub struct Compound<'s, 'a> {
    ser: &'s mut Pretty<'a>,
    first: bool,
    bracket: u8,
    /// Inside an enum variant's one-key object, which closes after it.
    in_variant: bool,
}

impl Compound<'_, '_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.ser.line(!self.first);
        self.first = false;
        value.serialize(&mut *self.ser)
    }

    fn field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.ser.field_key(self.first, key);
        self.first = false;
        value.serialize(&mut *self.ser)
    }

    fn end(self) -> Result<(), Unsupported> {
        self.ser.close(self.bracket, self.first);
        if self.in_variant {
            self.ser.close(b'}', false);
        }
        Ok(())
    }
}

impl<'s, 'a> Pretty<'a> {
    fn compound(&'s mut self, bracket: u8, in_variant: bool) -> Compound<'s, 'a> {
        self.open(if bracket == b']' { b'[' } else { b'{' });
        Compound {
            ser: self,
            first: true,
            bracket,
            in_variant,
        }
    }
}

impl<'s, 'a> ser::Serializer for &'s mut Pretty<'a> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Compound<'s, 'a>;
    type SerializeTuple = Compound<'s, 'a>;
    type SerializeTupleStruct = Compound<'s, 'a>;
    type SerializeTupleVariant = Compound<'s, 'a>;
    type SerializeMap = Compound<'s, 'a>;
    type SerializeStruct = Compound<'s, 'a>;
    type SerializeStructVariant = Compound<'s, 'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Unsupported> {
        self.out
            .extend_from_slice(if v { b"true" as &[u8] } else { b"false" });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), Unsupported> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), Unsupported> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), Unsupported> {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<(), Unsupported> {
        signed(self.out, v);
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), Unsupported> {
        self.serialize_u64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<(), Unsupported> {
        self.serialize_u64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<(), Unsupported> {
        self.serialize_u64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Unsupported> {
        unsigned(self.out, v);
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Unsupported> {
        float(self.out, v)
    }

    fn serialize_f64(self, v: f64) -> Result<(), Unsupported> {
        float(self.out, v)
    }

    fn serialize_char(self, v: char) -> Result<(), Unsupported> {
        string(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
        string(self.out, v);
        Ok(())
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<(), Unsupported> {
        unsupported("a byte string")
    }

    fn serialize_none(self) -> Result<(), Unsupported> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unsupported> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Unsupported> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unsupported> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Unsupported> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.variant(variant);
        value.serialize(&mut *self)?;
        self.close(b'}', false);
        Ok(())
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'s, 'a>, Unsupported> {
        Ok(self.compound(b']', false))
    }

    fn serialize_tuple(self, _: usize) -> Result<Compound<'s, 'a>, Unsupported> {
        Ok(self.compound(b']', false))
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'s, 'a>, Unsupported> {
        Ok(self.compound(b']', false))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'s, 'a>, Unsupported> {
        self.variant(variant);
        Ok(self.compound(b']', true))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'s, 'a>, Unsupported> {
        Ok(self.compound(b'}', false))
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'s, 'a>, Unsupported> {
        Ok(self.compound(b'}', false))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'s, 'a>, Unsupported> {
        self.variant(variant);
        Ok(self.compound(b'}', true))
    }
}

/// Sequences, tuples and tuple structs and variants: each value is an
/// element of a `[…]`, the same four impls but for the method's name.
macro_rules! elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Unsupported;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
                self.element(value)
            }

            fn end(self) -> Result<(), Unsupported> {
                Compound::end(self)
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unsupported> {
        let key = key.serialize(MapKey)?;
        self.ser.key(self.first, &key);
        self.first = false;
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        value.serialize(&mut *self.ser)
    }

    fn end(self) -> Result<(), Unsupported> {
        Compound::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Unsupported> {
        Compound::end(self)
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Unsupported> {
        Compound::end(self)
    }
}

/// A map key: only text (a string, a character, a unit variant, or a
/// newtype around one); serde_json's quoted numbers and booleans are left
/// to it.
struct MapKey;

/// Number keys (`{1: …}`): serde_json writes them quoted; the report has
/// none, so they go back to serde_json like every other unsupported shape.
macro_rules! number_keys {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, _: $t) -> Result<String, Unsupported> {
            unsupported("a number key")
        }
    )*};
}

impl ser::Serializer for MapKey {
    type Ok = String;
    type Error = Unsupported;
    type SerializeSeq = ser::Impossible<String, Unsupported>;
    type SerializeTuple = ser::Impossible<String, Unsupported>;
    type SerializeTupleStruct = ser::Impossible<String, Unsupported>;
    type SerializeTupleVariant = ser::Impossible<String, Unsupported>;
    type SerializeMap = ser::Impossible<String, Unsupported>;
    type SerializeStruct = ser::Impossible<String, Unsupported>;
    type SerializeStructVariant = ser::Impossible<String, Unsupported>;

    fn serialize_str(self, v: &str) -> Result<String, Unsupported> {
        Ok(v.to_string())
    }

    fn serialize_char(self, v: char) -> Result<String, Unsupported> {
        Ok(v.to_string())
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, Unsupported> {
        Ok(variant.to_string())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String, Unsupported> {
        value.serialize(self)
    }

    fn serialize_bool(self, _: bool) -> Result<String, Unsupported> {
        unsupported("a boolean key")
    }

    number_keys!(
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_f32: f32,
        serialize_f64: f64
    );

    fn serialize_bytes(self, _: &[u8]) -> Result<String, Unsupported> {
        unsupported("a byte string key")
    }

    fn serialize_none(self) -> Result<String, Unsupported> {
        unsupported("a null key")
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, Unsupported> {
        unsupported("an optional key")
    }

    fn serialize_unit(self) -> Result<String, Unsupported> {
        unsupported("a null key")
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<String, Unsupported> {
        unsupported("a null key")
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, Unsupported> {
        unsupported("a variant key")
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Unsupported> {
        unsupported("a list key")
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Unsupported> {
        unsupported("a list key")
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Unsupported> {
        unsupported("a list key")
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unsupported> {
        unsupported("a variant key")
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Unsupported> {
        unsupported("a map key")
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Unsupported> {
        unsupported("a map key")
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unsupported> {
        unsupported("a variant key")
    }
}

#[cfg(test)]
mod tests {
    use super::write;
    use serde::Serialize;

    fn pretty<T: Serialize>(value: &T) -> String {
        let mut out = Vec::new();
        write(value, 0, &mut out).expect("the writer takes it");
        String::from_utf8(out).expect("UTF-8")
    }

    fn serde_json_pretty<T: Serialize>(value: &T) -> String {
        serde_json::to_string_pretty(value).expect("serde_json takes it")
    }

    #[test]
    fn every_byte_is_escaped_as_serde_json_escapes_it() {
        // Each ASCII byte and some multi-byte characters, at every offset
        // of the eight-byte words the writer skips over.
        let mut texts: Vec<String> = (0u8..0x80)
            .flat_map(|b| {
                let c = char::from(b);
                (0..10).map(move |pad| format!("{}{c}{}", "x".repeat(pad), "é".repeat(pad % 3)))
            })
            .collect();
        texts.extend([
            String::new(),
            "plain text long enough to span several words".into(),
            "tab\there \"quoted\" back\\slash\u{7f}\u{1b}[0m\r\n\u{2028}\u{feff}".into(),
            "\\n:\\:add-mask::x #\\#[error] — ünïcödé 💥".into(),
        ]);
        for text in &texts {
            assert_eq!(pretty(text), serde_json_pretty(text), "{text:?}");
        }
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Newtype(u8),
        Tuple(i32, Vec<u8>),
        Struct { a: Option<f64>, b: Vec<String> },
        EmptyTuple(),
    }

    #[derive(Serialize)]
    struct Inner(String);

    #[derive(Serialize)]
    struct Everything {
        ints: (u8, u16, u32, u64, i8, i16, i32, i64),
        extremes: (u64, i64, i64),
        floats: Vec<f64>,
        small: f32,
        yes: bool,
        no: bool,
        none: Option<u32>,
        unit: (),
        newtype: Inner,
        shapes: Vec<Shape>,
        empty_list: Vec<u8>,
        empty_struct: Empty,
        map: std::collections::BTreeMap<String, Vec<Vec<u8>>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        chars: (char, char),
    }

    #[derive(Serialize)]
    struct Empty {}

    #[test]
    fn every_shape_is_laid_out_as_serde_json_lays_it_out() {
        let value = Everything {
            ints: (255, 65535, 7, 0, -128, -1, i32::MIN, 42),
            extremes: (u64::MAX, i64::MIN, i64::MAX),
            floats: vec![
                0.0,
                1.0,
                -2.5,
                1.0 / 3.0,
                1e21,
                1e-7,
                f64::NAN,
                f64::INFINITY,
            ],
            small: 0.1,
            yes: true,
            no: false,
            none: None,
            unit: (),
            newtype: Inner("in \"quotes\"".into()),
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(3),
                Shape::Tuple(-1, vec![]),
                Shape::Struct {
                    a: Some(0.5),
                    b: vec!["x".into()],
                },
                Shape::EmptyTuple(),
            ],
            empty_list: vec![],
            empty_struct: Empty {},
            map: [
                ("k\u{1}".to_string(), vec![vec![], vec![1, 2]]),
                (String::new(), vec![]),
            ]
            .into(),
            skipped: None,
            chars: ('"', 'ü'),
        };
        assert_eq!(pretty(&value), serde_json_pretty(&value));
        // Deeper than the indent written in one piece (64 levels).
        let mut deep = serde_json::json!(["bottom", {"k": 1}, {}, []]);
        for n in 0..70 {
            deep = serde_json::json!({ "level": n, "inner": [deep, []] });
        }
        assert_eq!(pretty(&deep), serde_json_pretty(&deep));
    }

    #[test]
    fn keys_serde_json_would_quote_are_left_to_it() {
        let numbered: std::collections::BTreeMap<u32, u8> = [(1, 2)].into();
        assert!(write(&numbered, 0, &mut Vec::new()).is_err());
        assert!(write(&Bytes, 0, &mut Vec::new()).is_err());
    }

    struct Bytes;

    impl Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(b"raw")
        }
    }
}
