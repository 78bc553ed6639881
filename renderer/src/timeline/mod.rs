//! Frame mapping between compositions: in/out points, start time, stretch and time remap live on
//! [`crate::model::layer::Layer`] (`local_time`, `is_active`) and in the precomp branch of the layer
//! evaluator; this module documents the conventions.
//!
//! * Composition frame `k` of an animation is time `ip + k`.
//! * A layer is shown while `ip <= t < op`, with `t` in its parent composition's frames.
//! * Its properties are evaluated at local time `(t - st) / sr`.
//! * A precomposition layer shows its asset at the layer's local time, or at `tm(local) * fr` when
//!   it has a time remap (`tm`, in seconds).
