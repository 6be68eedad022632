//! Holds a request's body back until the request is authorized.
//!
//! actix-web builds all of a handler's extractors at once and polls them
//! together: while a usso extractor waits (a key fetch), `web::Json<T>`
//! would already read the body, and its 400 could even answer before the
//! 401. The usso extractors put the body behind a gate that opens only when
//! they have authorized the request; a rejected request's body is never read.

use std::cell::{Cell, RefCell};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use futures_core::Stream;

/// The gate's key, kept by the extractor.
#[derive(Default)]
pub(super) struct Gate {
    open: Cell<bool>,
    waiting: RefCell<Option<Waker>>,
}

impl Gate {
    /// Lets the body through.
    pub(super) fn open(&self) {
        self.open.set(true);
        if let Some(waker) = self.waiting.borrow_mut().take() {
            waker.wake();
        }
    }
}

/// The body behind a gate.
struct Gated {
    gate: Rc<Gate>,
    body: Payload,
}

impl Stream for Gated {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if !self.gate.open.get() {
            *self.gate.waiting.borrow_mut() = Some(cx.waker().clone());
            return Poll::Pending;
        }
        Pin::new(&mut self.body).poll_next(cx)
    }
}

/// Puts `payload` behind a new gate, unless there is no body at all.
pub(super) fn hold(payload: &mut Payload) -> Option<Rc<Gate>> {
    if matches!(payload, Payload::None) {
        return None;
    }
    let gate = Rc::new(Gate::default());
    let body = payload.take();
    *payload = Payload::Stream {
        payload: Box::pin(Gated {
            gate: Rc::clone(&gate),
            body,
        }),
    };
    Some(gate)
}
