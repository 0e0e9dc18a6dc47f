import { describe, expect, it } from "vitest";
import { approvalPath, isContractCode } from "./approvalPath";

const eoa = { contractAccount: false, atomic: false };
const batchingEoa = { contractAccount: false, atomic: true };
const smartAccount = { contractAccount: true, atomic: true };
const oldSmartAccount = { contractAccount: true, atomic: false };

describe("approvalPath", () => {
  it("signs a permit wherever the token can check the wallet's signature", () => {
    const usdcLike = { permitKind: "eip2612-bytes" } as const;
    expect(approvalPath(usdcLike, eoa)).toBe("permitBytes");
    expect(approvalPath(usdcLike, smartAccount)).toBe("permitBytes");
    expect(approvalPath(usdcLike, oldSmartAccount)).toBe("permitBytes");
    const classic = { permitKind: "eip2612" } as const;
    expect(approvalPath(classic, eoa)).toBe("permit");
    // a signature beats a batch: it costs no network fee
    expect(approvalPath(classic, batchingEoa)).toBe("permit");
    const dai = { permitKind: "dai" } as const;
    expect(approvalPath(dai, eoa)).toBe("permitDai");
  });

  it("batches the approval for a smart account whose signature the token cannot check, else sends it", () => {
    const classic = { permitKind: "eip2612" } as const;
    expect(approvalPath(classic, smartAccount)).toBe("batch");
    expect(approvalPath(classic, oldSmartAccount)).toBe("approve");
    expect(approvalPath({ permitKind: "dai" }, smartAccount)).toBe("batch");
    const plain = { permitKind: null } as const;
    expect(approvalPath(plain, eoa)).toBe("approve");
    expect(approvalPath(plain, batchingEoa)).toBe("batch");
    expect(approvalPath(plain, smartAccount)).toBe("batch");
  });
});

describe("isContractCode", () => {
  it("tells a contract from an EOA, an EIP-7702-delegated EOA included", () => {
    expect(isContractCode(undefined)).toBe(false);
    expect(isContractCode("0x")).toBe(false);
    expect(isContractCode("0xef01007099797e0cf1cbcf4bf2b8d75a2ed7d62e0e3dbf")).toBe(false);
    expect(isContractCode("0x6080604052")).toBe(true);
  });
});
