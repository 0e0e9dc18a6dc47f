/** A failure already worded for the payer (in their language): shown as it is. */
export class PayerFacingError extends Error {
  override name = "PayerFacingError";
}
