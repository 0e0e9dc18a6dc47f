// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {ERC165Checker} from "@openzeppelin/contracts/utils/introspection/ERC165Checker.sol";

import {AccountDeployer} from "./AccountDeployer.sol";
import {IDaiPermit} from "./interfaces/IDaiPermit.sol";
import {IERC20SignaturePermit} from "./interfaces/IERC20SignaturePermit.sol";
import {Subscription} from "./Subscription.sol";
import {Terms, TermsCodec} from "./Terms.sol";

/// @title SubscriptionFactory
/// @notice Deploys subscriptions at addresses derived from their terms, and charges them in batches.
/// @dev One factory per chain, deployed at the same address everywhere through a deterministic deployer. It has no
///      owner, no configuration and holds no funds: a subscription's address is the CREATE2 address of an EIP-1167
///      clone of {IMPLEMENTATION} whose immutable arguments are the packed terms, so approving that address is
///      consent to exactly those terms. {predict} returns it before anything is deployed.
contract SubscriptionFactory {
    /// @notice Gas each charge in a {chargeMany} batch is given, and so the most one charge may spend: a token that
    ///         calls back into the payer's code (an ERC-777-style hook) can make a charge cost any amount, and without
    ///         a bound one such payer would burn the gas of the whole batch.
    /// @dev What a charge needs, measured by `test/contracts/SubscriptionFactory/chargeMany.t.sol` (the least gas a
    ///      call to `charge()` succeeds with, every account and slot cold, recorded in `snapshots/charge-gas.json`):
    ///      a later charge to a payee that already holds the token 31,070 (plain ERC-20 and EIP-2612 token), 31,385
    ///      (Tether-like), 35,947 (a USDC-shaped upgradeable proxy in front of the permit token: one more account
    ///      and one more slot), 42,585 (the proxy in front of a token that checks a pause flag and two blacklist
    ///      entries, as USDC does); the costliest charge, the first one after a trial (it measures what the payee
    ///      received) to a payee that never held the token (a zero-to-non-zero balance write), 50,288, 50,589,
    ///      55,803 and 62,575. Tether's own contract reads four more slots than the Tether-like test token
    ///      (deprecation flag, blacklist, two fee parameters: 8,400 cold), about 59,000. 200,000 is 3.2 times the
    ///      costliest figure: room for tokens that write more (vote checkpoints, rebasing shares), for a payer's
    ///      hook that costs something, and for a future repricing of storage access, while one payer's token can
    ///      cost a batch at most this much. Each call inside a charge keeps back 1/64 of its gas (EIP-150); the
    ///      measured figures include that.
    uint256 public constant CHARGE_GAS = 200_000;

    /// @dev Gas that must be left before a charge's call for the call to get all of {CHARGE_GAS}: a call keeps back
    ///      1/64 of the gas left (EIP-150), so it needs CHARGE_GAS * 64/63 rounded up, and reaching an account not
    ///      touched before costs 2,600 before the call starts (EIP-2929); 100 more covers the few instructions
    ///      between the check and the call.
    uint256 private constant _GAS_FOR_CHARGE = CHARGE_GAS + (CHARGE_GAS + 62) / 63 + 2_700;

    /// @dev The last 32 bytes of an ERC-6492 signature: the signer is a contract account that may not be deployed
    ///      yet, and the signature is `abi.encode(create2Factory, factoryCalldata, innerSignature)` followed by
    ///      these bytes.
    bytes32 private constant _ERC6492_MAGIC = 0x6492649264926492649264926492649264926492649264926492649264926492;

    /// @notice The contract every subscription is a clone of, deployed by this factory's constructor.
    address public immutable IMPLEMENTATION;

    /// @notice The contract that makes the deployment call of an ERC-6492 signature (see {AccountDeployer}: not
    ///         this factory, which subscriptions trust), deployed by this factory's constructor.
    address public immutable ACCOUNT_DEPLOYER;

    /// @notice A subscription was deployed and started (and charged, unless it begins with a trial). Together with
    ///         the indexed parties, the event carries the full terms, so `predict` can verify the address.
    /// @param subscription The subscription's address.
    /// @param payer Account charged.
    /// @param payee Account paid.
    /// @param token, operator, amount, period, startAt, maxPeriods, activateBy, salt The rest of the terms.
    event SubscriptionActivated(
        address indexed subscription,
        address indexed payer,
        address indexed payee,
        address token,
        address operator,
        uint256 amount,
        uint256 period,
        uint256 startAt,
        uint256 maxPeriods,
        uint256 activateBy,
        uint256 salt
    );

    /// @notice A `chargeMany` call charged the subscriptions in `charges`, in the order it was given them. It stands
    ///         for their `SubscriptionCharged` events, which charges through the factory leave out: one log for the
    ///         batch costs about 1,000 gas less per charge than one log each.
    /// @param charges One word per charge, packed as `SubscriptionCharged` would tell it: the subscription's
    ///        address in bits 0-159, `periodIndex` in bits 160-175, `nextDueAt` in bits 176-215. Packed, the batch
    ///        costs one word of log data per charge instead of three.
    event SubscriptionsCharged(uint256[] charges);

    /// @notice `timestamp` is later than the terms' activation deadline `activateBy`.
    error ActivationExpired(uint256 activateBy, uint256 timestamp);

    /// @notice The subscription at `subscription` has already been activated.
    error AlreadyActivated(address subscription);

    /// @notice `token` is not a contract.
    error InvalidToken(address token);

    /// @notice `token` is an ERC-721 collection (it says so through ERC-165), not an ERC-20: its `approve` and
    ///         `transferFrom` share ERC-20's selectors, so a charge would pull the token whose id is `amount`.
    error NotAnErc20(address token);

    /// @notice The charge at position `index` of a {chargeMany} batch needs `gasNeeded` gas left to be given its
    ///         whole {CHARGE_GAS}, and only `gasLeft` is: the transaction's gas limit is too low for the batch.
    error InsufficientGasForCharge(uint256 index, uint256 gasLeft, uint256 gasNeeded);

    /// @notice The payer or payee is the zero address, or they are the same account.
    error InvalidParties(address payer, address payee);

    /// @notice Terms with a zero `amount`, `period` or `maxPeriods` cannot be activated.
    error InvalidSchedule(uint256 amount, uint256 period, uint256 maxPeriods);

    constructor() {
        IMPLEMENTATION = address(new Subscription());
        ACCOUNT_DEPLOYER = address(new AccountDeployer());
    }

    /// @notice Deploys the subscription for `terms` and starts it: charges the first period now when `startAt` has
    ///         passed, otherwise checks that allowance and balance cover one period. Anyone may call it.
    /// @return subscription The subscription's address, equal to `predict(terms)`.
    function activate(Terms calldata terms) external returns (address subscription) {
        _validate(terms);
        bytes memory code = _creationCode(terms);
        subscription = _addressOf(code);
        _deployAndStart(terms, code, subscription);
    }

    /// @notice {activate} after an EIP-2612 permit from the payer for the subscription's address, so the payer signs
    ///         once and pays no gas. A failing permit is ignored: if someone already used the signature, or the
    ///         allowance is otherwise sufficient, activation goes ahead; if not, it reverts for lack of allowance.
    /// @param value Allowance the permit grants, token base units.
    /// @param deadline Permit deadline, unix seconds.
    function activateWithPermit(
        Terms calldata terms,
        uint256 value,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (address subscription) {
        _validate(terms);
        bytes memory code = _creationCode(terms);
        subscription = _addressOf(code);
        try IERC20Permit(terms.token).permit(terms.payer, subscription, value, deadline, v, r, s) {} catch {}
        _deployAndStart(terms, code, subscription);
    }

    /// @notice {activate} after a permit from the payer for the subscription's address whose signature is bytes, as
    ///         USDC takes it ({IERC20SignaturePermit}): the token checks it by ECDSA for an EOA payer and by ERC-1271
    ///         for a smart-contract account, so a smart account signs once and pays no gas. A failing permit is
    ///         ignored, as in {activateWithPermit}.
    ///
    ///         The signature may be ERC-6492-wrapped, for an account that is not deployed yet: when it ends with the
    ///         ERC-6492 magic bytes, it is `abi.encode(create2Factory, factoryCalldata, innerSignature)` before them;
    ///         if the payer has no code, `create2Factory` is called with `factoryCalldata` first (through
    ///         {ACCOUNT_DEPLOYER}, whatever the outcome), and the token is given `innerSignature`. A wrapped
    ///         signature that does not decode so reverts the activation.
    /// @param value Allowance the permit grants, token base units.
    /// @param deadline Permit deadline, unix seconds.
    /// @param signature The payer's signature over the EIP-2612 permit, possibly ERC-6492-wrapped.
    function activateWithPermitSignature(
        Terms calldata terms,
        uint256 value,
        uint256 deadline,
        bytes calldata signature
    ) external returns (address subscription) {
        _validate(terms);
        bytes memory code = _creationCode(terms);
        subscription = _addressOf(code);
        bytes memory permitSignature = _unwrapErc6492(terms.payer, signature);
        try
            IERC20SignaturePermit(terms.token).permit(terms.payer, subscription, value, deadline, permitSignature)
        {} catch {}
        _deployAndStart(terms, code, subscription);
    }

    /// @notice {activate} after a DAI-style permit ({IDaiPermit}) from the payer for the subscription's address,
    ///         signed with `allowed` true. A DAI permit grants an unlimited allowance by construction (there is no
    ///         amount to sign), so the payer's approval of the subscription is then unlimited; the subscription still
    ///         only ever takes what its terms allow: `amount` per period, at most `maxPeriods` times, to the payee.
    ///         A failing permit is ignored, as in {activateWithPermit}.
    /// @param nonce The payer's permit nonce the signature is for.
    /// @param expiry Permit expiry, unix seconds; zero for none.
    function activateWithDaiPermit(
        Terms calldata terms,
        uint256 nonce,
        uint256 expiry,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (address subscription) {
        _validate(terms);
        bytes memory code = _creationCode(terms);
        subscription = _addressOf(code);
        try IDaiPermit(terms.token).permit(terms.payer, subscription, nonce, expiry, true, v, r, s) {} catch {}
        _deployAndStart(terms, code, subscription);
    }

    /// @notice Charges every subscription in `subscriptions` whose period is due, each independently: one that
    ///         cannot be charged does not stop the others. Anyone may call it.
    /// @dev Each charge is a call given exactly {CHARGE_GAS}: whatever a payer's token does with it, the rest of the
    ///      batch keeps its gas. Before each call the batch checks that enough gas is left for the call to receive
    ///      all of it, and reverts with {InsufficientGasForCharge} when not: a subscription is reported uncharged
    ///      only for reasons of its own, never because the caller sent too little gas. Reverting rather than
    ///      stopping early also keeps gas estimation honest: `eth_estimateGas` looks for the lowest gas limit that
    ///      does not revert, and a batch that stopped early would succeed, charging nobody, with almost no gas.
    /// @return charged For each subscription, whether it was charged.
    function chargeMany(address[] calldata subscriptions) external returns (bool[] memory charged) {
        uint256 count = subscriptions.length;
        charged = new bool[](count);
        uint256[] memory charges = new uint256[](count);
        uint256 chargedCount;
        bytes4 selector = Subscription.charge.selector;
        for (uint256 i; i < count; ++i) {
            if (gasleft() < _GAS_FOR_CHARGE) revert InsufficientGasForCharge(i, gasleft(), _GAS_FOR_CHARGE);
            address subscription = subscriptions[i];
            // the call gets exactly CHARGE_GAS (the check above makes sure that much is there to give). A call to an
            // address without code succeeds and returns nothing, so success also requires the two-word answer that
            // `charge` gives: (periodIndex, nextDueAt), packed with the address. The writes stay within both arrays
            // (i < count, chargedCount <= i), so they skip Solidity's bounds checks.
            assembly ("memory-safe") {
                mstore(0x00, selector)
                // two statements: Yul evaluates arguments right to left, so returndatasize() must follow the call
                let ok := call(CHARGE_GAS, subscription, 0, 0x00, 0x04, 0x00, 0x40)
                if and(ok, eq(returndatasize(), 0x40)) {
                    mstore(add(charged, shl(5, add(i, 1))), 1)
                    chargedCount := add(chargedCount, 1)
                    let packed := or(subscription, or(shl(160, mload(0x00)), shl(176, mload(0x20))))
                    mstore(add(charges, shl(5, chargedCount)), packed)
                }
            }
        }
        if (chargedCount != 0) {
            // shorten the array to the charges made: it only ever shrinks, so its memory stays allocated
            assembly ("memory-safe") {
                mstore(charges, chargedCount)
            }
            emit SubscriptionsCharged(charges);
        }
    }

    /// @notice The address of the subscription for `terms`, whether or not it is deployed yet.
    function predict(Terms calldata terms) external view returns (address) {
        return _addressOf(_creationCode(terms));
    }

    /// @dev Reverts unless `terms` can be activated now.
    function _validate(Terms calldata terms) private view {
        if (block.timestamp > terms.activateBy) revert ActivationExpired(terms.activateBy, block.timestamp);
        if (terms.amount == 0 || terms.period == 0 || terms.maxPeriods == 0) {
            revert InvalidSchedule(terms.amount, terms.period, terms.maxPeriods);
        }
        if (terms.payer == address(0) || terms.payee == address(0) || terms.payer == terms.payee) {
            revert InvalidParties(terms.payer, terms.payee);
        }
        if (terms.token.code.length == 0) revert InvalidToken(terms.token);
        if (ERC165Checker.supportsInterface(terms.token, type(IERC721).interfaceId)) revert NotAnErc20(terms.token);
    }

    /// @dev The signature to give the token: `signature` itself, or, when it is ERC-6492-wrapped, the signature it
    ///      wraps, after the wrapped deployment call is made (through {ACCOUNT_DEPLOYER}) if `payer` has no code.
    function _unwrapErc6492(address payer, bytes calldata signature) private returns (bytes memory) {
        uint256 length = signature.length;
        if (length < 32 || bytes32(signature[length - 32:]) != _ERC6492_MAGIC) return signature;
        (address create2Factory, bytes memory factoryCalldata, bytes memory inner) = abi.decode(
            signature[:length - 32],
            (address, bytes, bytes)
        );
        if (payer.code.length == 0) AccountDeployer(ACCOUNT_DEPLOYER).deploy(create2Factory, factoryCalldata);
        return inner;
    }

    /// @dev Deploys the clone of `terms` from `code` at `subscription` and starts it.
    function _deployAndStart(Terms calldata terms, bytes memory code, address subscription) private {
        address deployed;
        assembly ("memory-safe") {
            deployed := create2(0, add(code, 0x20), mload(code), 0)
        }
        // CREATE2 of this code cannot fail but for an address that already holds the clone, and it then returns
        // zero instead of reverting; checking that is cheaper than looking at the address's code beforehand.
        if (deployed == address(0)) revert AlreadyActivated(subscription);

        emit SubscriptionActivated(
            subscription,
            terms.payer,
            terms.payee,
            terms.token,
            terms.operator,
            terms.amount,
            terms.period,
            terms.startAt,
            terms.maxPeriods,
            terms.activateBy,
            terms.salt
        );
        // a plain call: the clone was just created, so the code-size check a high-level call adds is wasted gas.
        bytes4 initialize = Subscription.initialize.selector;
        assembly ("memory-safe") {
            mstore(0x00, initialize)
            if iszero(call(gas(), subscription, 0, 0x00, 0x04, 0x00, 0x00)) {
                let p := mload(0x40)
                returndatacopy(p, 0x00, returndatasize())
                revert(p, returndatasize())
            }
        }
    }

    /// @dev Creation code of the EIP-1167 clone of {IMPLEMENTATION} carrying the packed `terms` after its runtime
    ///      code, in the layout of OpenZeppelin's `Clones.cloneDeterministicWithImmutableArgs` (whose `fetchCloneArgs`
    ///      and `predictDeterministicAddressWithImmutableArgs` the tests check it against). Built here because the
    ///      library neither exposes it nor reports an existing clone other than by reverting.
    function _creationCode(Terms calldata terms) private view returns (bytes memory code) {
        code = abi.encodePacked(
            hex"61",
            uint16(TermsCodec.LENGTH + 0x2d),
            hex"3d81600a3d39f3363d3d373d3d3d363d73",
            IMPLEMENTATION,
            hex"5af43d82803e903d91602b57fd5bf3"
        );
        // append the terms packed in the layout TermsCodec reads. Each field is shifted to the top of a word and
        // stored at its offset, every store overwriting the tail of the one before; the shifts drop the ABI
        // padding, and the fields' ABI validity is enforced where `_validate` and `_deployAndStart` read them.
        assembly ("memory-safe") {
            let args := add(add(code, 0x20), mload(code))
            mstore(args, shl(96, calldataload(terms)))
            mstore(add(args, 20), shl(96, calldataload(add(terms, 0x20))))
            mstore(add(args, 40), shl(96, calldataload(add(terms, 0x40))))
            mstore(add(args, 60), shl(96, calldataload(add(terms, 0x60))))
            mstore(add(args, 80), shl(128, calldataload(add(terms, 0x80))))
            mstore(add(args, 96), shl(224, calldataload(add(terms, 0xa0))))
            mstore(add(args, 100), shl(216, calldataload(add(terms, 0xc0))))
            mstore(add(args, 105), shl(240, calldataload(add(terms, 0xe0))))
            mstore(add(args, 107), shl(216, calldataload(add(terms, 0x100))))
            mstore(add(args, 112), shl(224, calldataload(add(terms, 0x120))))
            mstore(code, add(mload(code), 116))
            mstore(0x40, and(add(add(args, 116), 31), not(31)))
        }
    }

    /// @dev The CREATE2 address of `code` deployed by this factory with salt zero (the terms carry the salt).
    function _addressOf(bytes memory code) private view returns (address) {
        return Create2.computeAddress(0, keccak256(code));
    }
}
