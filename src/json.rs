//! JSON through the browser's own `JSON` object, so that serde_json stays out of the wasm.
//!
//! Both directions use small serde adapters over `JsValue` below instead of
//! serde-wasm-bindgen. Serialising builds plain JS objects, arrays, strings, numbers and
//! booleans (what the wire types' requests contain) for `JSON.stringify`. Deserialising reads
//! exactly what `JSON.parse` can produce, and its errors never format the offending value,
//! which keeps the float formatting code (and about 8 KB gzip) out of the build. The wire
//! types' own serde derives stay the single definition of every field.

use std::fmt;

use js_sys::{Array, Object, JSON};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde::ser::{self, Impossible};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

/// Serialise to a JSON string. An error (a value JSON cannot carry) is returned, never an
/// empty string that would go out as an empty body.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, Error> {
    let v = value.serialize(Ser)?;
    JSON::stringify(&v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(unsupported)
}

/// Read a `T` from a JS value (as produced by `JSON.parse`, or a host's config object).
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, Error> {
    T::deserialize(De(value))
}

/// Parse a JSON string into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    let value = JSON::parse(text).map_err(|_| Error("the answer is not JSON".into()))?;
    from_js(value)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// Serialises into a JS value as `JSON.stringify` expects it: `None` and unit are `null`,
/// numbers are JS numbers, unit variants their name. Tuple and struct variants and bytes,
/// which no request contains, are errors.
struct Ser;

fn unsupported() -> Error {
    Error("unsupported value".into())
}

impl ser::Serializer for Ser {
    type Ok = JsValue;
    type Error = Error;
    type SerializeSeq = SeqSer;
    type SerializeTuple = SeqSer;
    type SerializeTupleStruct = SeqSer;
    type SerializeTupleVariant = Impossible<JsValue, Error>;
    type SerializeMap = MapSer;
    type SerializeStruct = MapSer;
    type SerializeStructVariant = Impossible<JsValue, Error>;

    fn serialize_bool(self, v: bool) -> Result<JsValue, Error> {
        Ok(v.into())
    }
    fn serialize_i8(self, v: i8) -> Result<JsValue, Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<JsValue, Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<JsValue, Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<JsValue, Error> {
        // Beyond 2^53 a JS number would silently change the value.
        if v.unsigned_abs() > MAX_SAFE as u64 {
            return Err(unsupported());
        }
        self.serialize_f64(v as f64)
    }
    fn serialize_u8(self, v: u8) -> Result<JsValue, Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<JsValue, Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<JsValue, Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<JsValue, Error> {
        if v > MAX_SAFE as u64 {
            return Err(unsupported());
        }
        self.serialize_f64(v as f64)
    }
    fn serialize_f32(self, v: f32) -> Result<JsValue, Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<JsValue, Error> {
        // JSON has no NaN or infinity (`JSON.stringify` would write `null`).
        if !v.is_finite() {
            return Err(unsupported());
        }
        Ok(JsValue::from_f64(v))
    }
    fn serialize_char(self, v: char) -> Result<JsValue, Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<JsValue, Error> {
        Ok(JsValue::from_str(v))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<JsValue, Error> {
        Err(unsupported())
    }
    fn serialize_none(self) -> Result<JsValue, Error> {
        Ok(JsValue::NULL)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result<JsValue, Error> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<JsValue, Error> {
        Ok(JsValue::NULL)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<JsValue, Error> {
        Ok(JsValue::NULL)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<JsValue, Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<JsValue, Error> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<JsValue, Error> {
        let o = Object::new();
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(variant), &v.serialize(Ser)?);
        Ok(o.into())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<SeqSer, Error> {
        Ok(SeqSer(Array::new()))
    }
    fn serialize_tuple(self, _: usize) -> Result<SeqSer, Error> {
        Ok(SeqSer(Array::new()))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<SeqSer, Error> {
        Ok(SeqSer(Array::new()))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(unsupported())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapSer, Error> {
        Ok(MapSer(Object::new(), JsValue::UNDEFINED))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<MapSer, Error> {
        Ok(MapSer(Object::new(), JsValue::UNDEFINED))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(unsupported())
    }
}

struct SeqSer(Array);

impl SeqSer {
    fn push<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Error> {
        self.0.push(&v.serialize(Ser)?);
        Ok(())
    }
}

impl ser::SerializeSeq for SeqSer {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Error> {
        self.push(v)
    }
    fn end(self) -> Result<JsValue, Error> {
        Ok(self.0.into())
    }
}

impl ser::SerializeTuple for SeqSer {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Error> {
        self.push(v)
    }
    fn end(self) -> Result<JsValue, Error> {
        Ok(self.0.into())
    }
}

impl ser::SerializeTupleStruct for SeqSer {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Error> {
        self.push(v)
    }
    fn end(self) -> Result<JsValue, Error> {
        Ok(self.0.into())
    }
}

/// An object being built, and the pending key of a map entry.
struct MapSer(Object, JsValue);

impl MapSer {
    fn set(&self, key: &JsValue, v: JsValue) {
        let _ = js_sys::Reflect::set(&self.0, key, &v);
    }
}

impl ser::SerializeMap for MapSer {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, k: &T) -> Result<(), Error> {
        self.1 = k.serialize(Ser)?;
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Error> {
        let key = std::mem::replace(&mut self.1, JsValue::UNDEFINED);
        self.set(&key, v.serialize(Ser)?);
        Ok(())
    }
    fn end(self) -> Result<JsValue, Error> {
        Ok(self.0.into())
    }
}

impl ser::SerializeStruct for MapSer {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        self.set(&JsValue::from_str(key), v.serialize(Ser)?);
        Ok(())
    }
    fn end(self) -> Result<JsValue, Error> {
        Ok(self.0.into())
    }
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
    // The offending value is not formatted (see the module docs).
    fn invalid_type(_: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error(format!("invalid type, expected {exp}"))
    }
    fn invalid_value(_: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error(format!("invalid value, expected {exp}"))
    }
}

struct De(JsValue);

/// Largest integer a JS number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

fn expected(what: &str) -> Error {
    Error(format!("expected {what}"))
}

/// Not inlined: one instance per value type is shared by every struct instead of being
/// copied into each struct's `visit_map`.
/// Each `deserialize_*` calls exactly one `visit_*`: monomorphised per visitor, a catch-all
/// `deserialize_any` would carry every visit path into every instance (about 50 KB of wasm).
impl<'de> de::Deserializer<'de> for De {
    type Error = Error;

    #[inline(never)]
    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let x = self.0;
        if x.is_null() || x.is_undefined() {
            v.visit_unit()
        } else if let Some(b) = x.as_bool() {
            v.visit_bool(b)
        } else if let Some(n) = x.as_f64() {
            v.visit_f64(n)
        } else if let Some(s) = x.as_string() {
            v.visit_string(s)
        } else if Array::is_array(&x) {
            v.visit_seq(Seq {
                items: x.unchecked_into(),
                i: 0,
            })
        } else {
            De(x).deserialize_map(v)
        }
    }

    #[inline(never)]
    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_bool(self.0.as_bool().ok_or_else(|| expected("a boolean"))?)
    }

    #[inline(never)]
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.0.as_f64() {
            Some(n) if n.fract() == 0.0 && (0.0..=MAX_SAFE).contains(&n) => v.visit_u64(n as u64),
            _ => Err(expected("a non-negative integer")),
        }
    }

    #[inline(never)]
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_u64(v)
    }

    #[inline(never)]
    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_u64(v)
    }

    #[inline(never)]
    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_u64(v)
    }

    #[inline(never)]
    fn deserialize_i8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_i64(v)
    }

    #[inline(never)]
    fn deserialize_i16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_i64(v)
    }

    #[inline(never)]
    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_i64(v)
    }

    #[inline(never)]
    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_f64(v)
    }

    #[inline(never)]
    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_string(v)
    }

    #[inline(never)]
    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.0.as_f64() {
            Some(n) if n.fract() == 0.0 && n.abs() <= MAX_SAFE => v.visit_i64(n as i64),
            _ => Err(expected("an integer")),
        }
    }

    #[inline(never)]
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_f64(self.0.as_f64().ok_or_else(|| expected("a number"))?)
    }

    #[inline(never)]
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_string(self.0.as_string().ok_or_else(|| expected("a string"))?)
    }

    #[inline(never)]
    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_string(v)
    }

    #[inline(never)]
    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_string(v)
    }

    #[inline(never)]
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if !Array::is_array(&self.0) {
            return Err(expected("an array"));
        }
        v.visit_seq(Seq {
            items: self.0.unchecked_into(),
            i: 0,
        })
    }

    #[inline(never)]
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let x = self.0;
        if !x.is_object() || Array::is_array(&x) {
            return Err(expected("an object"));
        }
        let keys = Object::keys(x.unchecked_ref::<Object>());
        v.visit_map(Map {
            obj: x,
            keys,
            i: 0,
            value: JsValue::UNDEFINED,
        })
    }

    #[inline(never)]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(v)
    }

    #[inline(never)]
    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }

    /// Unknown fields are skipped without looking at them.
    #[inline(never)]
    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }

    #[inline(never)]
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.0.is_null() || self.0.is_undefined() {
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    /// Unit variants only (`"invited"`, `"Pass"`, `"session_expired"`).
    #[inline(never)]
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        let s = self.0.as_string().ok_or_else(|| expected("a string"))?;
        v.visit_enum(IntoDeserializer::<Error>::into_deserializer(s))
    }

    #[inline(never)]
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        i128 u128 bytes byte_buf unit_struct tuple tuple_struct
    }
}

struct Seq {
    items: Array,
    i: u32,
}

impl<'de> de::SeqAccess<'de> for Seq {
    type Error = Error;
    #[inline(never)]
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.i >= self.items.length() {
            return Ok(None);
        }
        let item = self.items.get(self.i);
        self.i += 1;
        seed.deserialize(De(item)).map(Some)
    }
}

struct Map {
    obj: JsValue,
    keys: Array,
    i: u32,
    value: JsValue,
}

impl<'de> de::MapAccess<'de> for Map {
    type Error = Error;
    #[inline(never)]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.i >= self.keys.length() {
            return Ok(None);
        }
        let key = self.keys.get(self.i);
        self.i += 1;
        self.value = js_sys::Reflect::get(&self.obj, &key).unwrap_or(JsValue::UNDEFINED);
        seed.deserialize(De(key)).map(Some)
    }
    #[inline(never)]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(De(std::mem::replace(&mut self.value, JsValue::UNDEFINED)))
    }
}
