//! Sampling: the values of model properties at a time.
//!
//! The model is plain data; this is where it meets the keyframe maths of `interpolation`. A
//! property is read at a local time in frames
//! ([`Property::at`](crate::model::property::Property::at), or `eval_into` for values that own
//! buffers), and a transform gives its matrix and opacity at a time. Import uses it once to
//! resolve static transforms; the timeline and evaluation read through it every frame.

mod property;
mod transform;
