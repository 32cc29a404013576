/**
 * The one result type of the house: a value, or a failure described by the fields of `F`. Decoding
 * (`Decoded`), the HTTP adapter's request handling and the engine all answer in this shape, so a
 * caller tests `ok` the same way everywhere. Rejections of commands are fp-ts `Either`s inside the
 * core (`decide`), where Either's combinators earn their keep.
 */
export type Result<A, F extends object> = { readonly ok: true; readonly value: A } | ({ readonly ok: false } & F);
