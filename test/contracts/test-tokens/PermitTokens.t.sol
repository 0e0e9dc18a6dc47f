// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {DaiLikeToken} from "../../../contracts/test-tokens/DaiLikeToken.sol";
import {SignaturePermitToken} from "../../../contracts/test-tokens/SignaturePermitToken.sol";
import {SmartAccount} from "../../../contracts/test-accounts/SmartAccount.sol";
import {SmartAccountFactory} from "../../../contracts/test-accounts/SmartAccountFactory.sol";
import {vm} from "../base/Vm.sol";

/// @notice The USDC-shaped bytes-permit token, the DAI-shaped token and the smart account behave as the real
///         things they stand in for.
contract PermitTokensTest {
    uint256 private constant KEY = 0xA11CE;
    address private holder = vm.addr(KEY);
    address private spender = address(0x5BE4DE7);

    SignaturePermitToken private usdc = new SignaturePermitToken();
    DaiLikeToken private dai = new DaiLikeToken();
    SmartAccountFactory private accounts = new SmartAccountFactory();

    function _usdcDigest(address owner, uint256 value, uint256 deadline) private view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(usdc.PERMIT_TYPEHASH(), owner, spender, value, usdc.nonces(owner), deadline)
        );
        return keccak256(abi.encodePacked("\x19\x01", usdc.DOMAIN_SEPARATOR(), structHash));
    }

    function _daiDigest(uint256 nonce, uint256 expiry, bool allowed) private view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(dai.PERMIT_TYPEHASH(), holder, spender, nonce, expiry, allowed));
        return keccak256(abi.encodePacked("\x19\x01", dai.DOMAIN_SEPARATOR(), structHash));
    }

    function test_signaturePermit_hasSixDecimals_andDomainVersionTwo_asUsdc() public view {
        (, string memory name, string memory version, , address verifyingContract, , ) = usdc.eip712Domain();
        vm.assertEq(usdc.decimals(), 6, "6 decimals");
        vm.assertEq(keccak256(bytes(name)), keccak256("Recur Test Smart USD"), "name");
        vm.assertEq(keccak256(bytes(version)), keccak256("2"), "USDC's domain version");
        vm.assertEq(verifyingContract, address(usdc), "verifying contract");
    }

    function test_signaturePermit_takesBothForms_fromAnEoa() public {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(KEY, _usdcDigest(holder, 5, 1 days));
        usdc.permit(holder, spender, 5, 1 days, v, r, s);
        vm.assertEq(usdc.allowance(holder, spender), 5, "(v, r, s) form");

        (v, r, s) = vm.sign(KEY, _usdcDigest(holder, 7, 1 days));
        usdc.permit(holder, spender, 7, 1 days, abi.encodePacked(r, s, v));
        vm.assertEq(usdc.allowance(holder, spender), 7, "bytes form, same struct and nonces");
        vm.assertEq(usdc.nonces(holder), 2, "two nonces used");
    }

    function test_signaturePermit_checksAContractOwner_byErc1271() public {
        address account = accounts.createAccount(holder, bytes32(0));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(KEY, _usdcDigest(account, 9, 1 days));
        usdc.permit(account, spender, 9, 1 days, abi.encodePacked(r, s, v));
        vm.assertEq(usdc.allowance(account, spender), 9, "the account's owner signed");

        (v, r, s) = vm.sign(0xBAD, _usdcDigest(account, 9, 1 days));
        vm.expectRevert(abi.encodeWithSelector(SignaturePermitToken.InvalidPermitSignature.selector, account));
        usdc.permit(account, spender, 9, 1 days, abi.encodePacked(r, s, v));
    }

    function test_signaturePermit_reverts_afterTheDeadline() public {
        vm.warp(1 days + 1);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(KEY, _usdcDigest(holder, 5, 1 days));
        vm.expectRevert(abi.encodeWithSelector(SignaturePermitToken.PermitExpired.selector, 1 days, 1 days + 1));
        usdc.permit(holder, spender, 5, 1 days, abi.encodePacked(r, s, v));
    }

    function test_daiLike_allowedGivesTheMaximum_notAllowedGivesZero_andExpiryZeroNeverExpires() public {
        vm.warp(365 days);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(KEY, _daiDigest(0, 0, true));
        dai.permit(holder, spender, 0, 0, true, v, r, s);
        vm.assertEq(dai.allowance(holder, spender), type(uint256).max, "allowed: unlimited");

        (v, r, s) = vm.sign(KEY, _daiDigest(1, 0, false));
        dai.permit(holder, spender, 1, 0, false, v, r, s);
        vm.assertEq(dai.allowance(holder, spender), 0, "not allowed: none");
        vm.assertEq(dai.decimals(), 18, "18 decimals");
    }

    function test_daiLike_refusesAWrongNonce_anExpiredPermit_andAnotherSigner() public {
        vm.warp(2 days);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(KEY, _daiDigest(1, 0, true));
        vm.expectRevert(abi.encodeWithSelector(DaiLikeToken.InvalidPermitNonce.selector, 1, 0));
        dai.permit(holder, spender, 1, 0, true, v, r, s);

        (v, r, s) = vm.sign(KEY, _daiDigest(0, 1 days, true));
        vm.expectRevert(abi.encodeWithSelector(DaiLikeToken.PermitExpired.selector, 1 days, 2 days));
        dai.permit(holder, spender, 0, 1 days, true, v, r, s);

        (v, r, s) = vm.sign(0xBAD, _daiDigest(0, 0, true));
        vm.expectRevert(abi.encodeWithSelector(DaiLikeToken.InvalidPermitSignature.selector, holder));
        dai.permit(holder, spender, 0, 0, true, v, r, s);
    }

    function test_daiLike_neverDecreasesTheUnlimitedAllowance() public {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(KEY, _daiDigest(0, 0, true));
        dai.permit(holder, spender, 0, 0, true, v, r, s);
        dai.mint(holder, 10);
        vm.prank(spender);
        dai.transferFrom(holder, spender, 10);
        vm.assertEq(dai.allowance(holder, spender), type(uint256).max, "still unlimited");
    }

    function test_smartAccount_acceptsOnlyItsOwnersSignatureOverTheRawHash() public {
        SmartAccount account = SmartAccount(payable(accounts.createAccount(holder, bytes32(0))));
        bytes32 hash = keccak256("anything");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(KEY, hash);
        vm.assertEq(
            bytes32(account.isValidSignature(hash, abi.encodePacked(r, s, v))),
            bytes32(bytes4(0x1626ba7e)),
            "owner's"
        );
        vm.assertEq(
            bytes32(account.isValidSignature(hash, abi.encodePacked(r, s))),
            bytes32(bytes4(0xffffffff)),
            "64 bytes"
        );
        (v, r, s) = vm.sign(0xBAD, hash);
        vm.assertEq(
            bytes32(account.isValidSignature(hash, abi.encodePacked(r, s, v))),
            bytes32(bytes4(0xffffffff)),
            "another key"
        );
    }

    function test_smartAccount_executesBatchesForItsOwnerOnly_atomically() public {
        SmartAccount account = SmartAccount(payable(accounts.createAccount(address(this), bytes32(0))));
        usdc.mint(address(account), 10);
        SmartAccount.Call[] memory calls = new SmartAccount.Call[](2);
        calls[0] = SmartAccount.Call(address(usdc), 0, abi.encodeCall(usdc.transfer, (spender, 4)));
        calls[1] = SmartAccount.Call(address(usdc), 0, abi.encodeCall(usdc.approve, (spender, 6)));
        account.executeBatch(calls);
        vm.assertEq(usdc.balanceOf(spender), 4, "first call made");
        vm.assertEq(usdc.allowance(address(account), spender), 6, "second call made");

        // the second call fails (more than the balance): the first is undone, the token's error comes back
        calls[0] = SmartAccount.Call(address(usdc), 0, abi.encodeCall(usdc.approve, (spender, 1)));
        calls[1] = SmartAccount.Call(address(usdc), 0, abi.encodeCall(usdc.transfer, (spender, 7)));
        vm.expectRevert(abi.encodeWithSignature("ERC20InsufficientBalance(address,uint256,uint256)", account, 6, 7));
        account.executeBatch(calls);
        vm.assertEq(usdc.allowance(address(account), spender), 6, "batch undone");

        vm.prank(spender);
        vm.expectRevert(abi.encodeWithSelector(SmartAccount.NotOwner.selector, spender));
        account.executeBatch(calls);
    }

    function test_smartAccountFactory_deploysAtThePredictedAddress_once() public {
        address predicted = accounts.getAddress(holder, bytes32(uint256(1)));
        vm.assertEq(predicted.code.length, 0, "not deployed yet");
        vm.assertEq(accounts.createAccount(holder, bytes32(uint256(1))), predicted, "at the predicted address");
        vm.assertEq(accounts.createAccount(holder, bytes32(uint256(1))), predicted, "again: the same account");
        vm.assertEq(SmartAccount(payable(predicted)).owner(), holder, "owned by its owner");
        vm.assertTrue(accounts.getAddress(spender, bytes32(uint256(1))) != predicted, "another owner's differs");
    }
}
