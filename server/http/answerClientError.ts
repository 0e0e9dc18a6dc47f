import type { Socket } from "node:net";

/** What a connection error of Node's HTTP parser is answered with. */
interface ClientErrorAnswer {
  status: number;
  reason: string;
  code: string;
  message: string;
}

const NOT_HTTP: ClientErrorAnswer = {
  status: 400,
  reason: "Bad Request",
  code: "BadRequest",
  message: "The request is not valid HTTP: send an HTTP/1.1 request line and headers",
};

/** Node's error codes (llhttp's `HPE_*` and the server's own) with an answer of their own. */
const ANSWERS: Record<string, ClientErrorAnswer> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: "Request Header Fields Too Large",
    code: "RequestHeaderFieldsTooLarge",
    message: "The request's headers are too large: send fewer or shorter headers",
  },
  HPE_INVALID_CONTENT_LENGTH: {
    ...NOT_HTTP,
    message: "The request's Content-Length is not valid: send one decimal byte count that matches the body",
  },
  HPE_UNEXPECTED_CONTENT_LENGTH: {
    ...NOT_HTTP,
    message: "The request has both Content-Length and Transfer-Encoding, or several lengths: send exactly one",
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: "Request Timeout",
    code: "RequestTimeout",
    message: "The request did not arrive in time: send it again",
  },
};

/**
 * Fastify's `clientErrorHandler` for what Node cannot parse as HTTP (a malformed request line or header, headers over
 * the size limit, a bad Content-Length, a request that never finished arriving): the answer has the API's error
 * shape `{status, code, message}`, then the connection closes, since nothing more on it can be trusted. The
 * platform API and the merchant's web server both use it, so a client of either never meets another error shape.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // a reset connection has nobody left to answer
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const answer = ANSWERS[error.code ?? ""] ?? NOT_HTTP;
  const body = JSON.stringify({ status: answer.status, code: answer.code, message: answer.message });
  socket.end(
    `HTTP/1.1 ${answer.status} ${answer.reason}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
