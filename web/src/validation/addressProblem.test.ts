import { describe, expect, it } from "vitest";
import { addressProblem } from "./addressProblem";

const CHECKSUMMED = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

describe("addressProblem", () => {
  it("accepts an EIP-55 checksummed address and the same address in lowercase", () => {
    expect(addressProblem(CHECKSUMMED)).toBeNull();
    expect(addressProblem(CHECKSUMMED.toLowerCase())).toBeNull();
  });

  it("refuses mixed case that is not the checksum: one letter's case changed is a typo", () => {
    // the last C flipped to c: still mixed case, no longer the checksum
    expect(addressProblem("0x70997970C51812dc3A010C7d01b50e0d17dc79c8")).toBe("checksum");
    // all uppercase is mixed-case-free but is not EIP-55 either, as viem's strict check says
    expect(addressProblem(`0x${CHECKSUMMED.slice(2).toUpperCase()}`)).toBe("checksum");
  });

  it("refuses the zero address, which nobody holds", () => {
    expect(addressProblem("0x0000000000000000000000000000000000000000")).toBe("zero");
  });

  it("refuses what is not 20 bytes of hex", () => {
    for (const value of [
      "",
      "0x1234",
      `${CHECKSUMMED}00`,
      CHECKSUMMED.slice(2),
      "0xZZ997970C51812dc3A010C7d01b50e0d17dc79C8",
    ]) {
      expect(addressProblem(value), value).toBe("malformed");
    }
  });
});
