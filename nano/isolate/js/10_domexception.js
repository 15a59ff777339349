// DOMException: the WebIDL exception interface with its legacy error codes.
// Spec: https://webidl.spec.whatwg.org/#idl-DOMException
// Host operations: none.
//
// Internals shared on `nano`: `nano.DOMException` (the class) and
// `nano.domExceptionState(x)` ({name, message} or undefined; used by structuredClone).

const ErrorPrototype = Error.prototype;
const ErrorCaptureStackTrace = Error.captureStackTrace;
const ObjectDefineProperty = Object.defineProperty;
const ObjectSetPrototypeOf = Object.setPrototypeOf;
const ObjectFreeze = Object.freeze;
const WeakMapCtor = WeakMap;
const SymbolToStringTag = Symbol.toStringTag;
const TypeErrorCtor = TypeError;

const SafeWeakMap = nano.safeCollection(WeakMap);

// The legacy code constants, in the order WebIDL lists them.
const CONSTANTS = [
  ["INDEX_SIZE_ERR", 1], ["DOMSTRING_SIZE_ERR", 2], ["HIERARCHY_REQUEST_ERR", 3],
  ["WRONG_DOCUMENT_ERR", 4], ["INVALID_CHARACTER_ERR", 5], ["NO_DATA_ALLOWED_ERR", 6],
  ["NO_MODIFICATION_ALLOWED_ERR", 7], ["NOT_FOUND_ERR", 8], ["NOT_SUPPORTED_ERR", 9],
  ["INUSE_ATTRIBUTE_ERR", 10], ["INVALID_STATE_ERR", 11], ["SYNTAX_ERR", 12],
  ["INVALID_MODIFICATION_ERR", 13], ["NAMESPACE_ERR", 14], ["INVALID_ACCESS_ERR", 15],
  ["VALIDATION_ERR", 16], ["TYPE_MISMATCH_ERR", 17], ["SECURITY_ERR", 18],
  ["NETWORK_ERR", 19], ["ABORT_ERR", 20], ["URL_MISMATCH_ERR", 21],
  ["QUOTA_EXCEEDED_ERR", 22], ["TIMEOUT_ERR", 23], ["INVALID_NODE_TYPE_ERR", 24],
  ["DATA_CLONE_ERR", 25],
];

// The error names table: names with a legacy code.
const CODES = {
  __proto__: null,
  IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4,
  InvalidCharacterError: 5, NoModificationAllowedError: 7, NotFoundError: 8,
  NotSupportedError: 9, InUseAttributeError: 10, InvalidStateError: 11, SyntaxError: 12,
  InvalidModificationError: 13, NamespaceError: 14, InvalidAccessError: 15,
  TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20,
  URLMismatchError: 21, QuotaExceededError: 22, TimeoutError: 23,
  InvalidNodeTypeError: 24, DataCloneError: 25,
};

const states = new SafeWeakMap();

const toDOMString = nano.toDOMString;

function stateOf(self, what) {
  const state = states.get(self);
  if (state === undefined) {
    throw new TypeErrorCtor("DOMException." + what + " called on an object that is not a DOMException");
  }
  return state;
}

class DOMException {
  constructor(message = "", name = "Error") {
    const state = { message: toDOMString(message), name: toDOMString(name) };
    states.set(this, state);
    if (ErrorCaptureStackTrace !== undefined) ErrorCaptureStackTrace(this, new.target);
  }

  get name() {
    return stateOf(this, "name").name;
  }

  get message() {
    return stateOf(this, "message").message;
  }

  get code() {
    const code = CODES[stateOf(this, "code").name];
    return code === undefined ? 0 : code;
  }
}

ObjectSetPrototypeOf(DOMException.prototype, ErrorPrototype);
ObjectDefineProperty(DOMException.prototype, SymbolToStringTag, {
  value: "DOMException", writable: false, enumerable: false, configurable: true,
});
for (let i = 0; i < CONSTANTS.length; i++) {
  const desc = { value: CONSTANTS[i][1], writable: false, enumerable: true, configurable: false };
  ObjectDefineProperty(DOMException, CONSTANTS[i][0], desc);
  ObjectDefineProperty(DOMException.prototype, CONSTANTS[i][0], desc);
}
for (const key of ["name", "message", "code"]) {
  const desc = Object.getOwnPropertyDescriptor(DOMException.prototype, key);
  desc.enumerable = true;
  ObjectDefineProperty(DOMException.prototype, key, desc);
}

nano.DOMException = DOMException;
nano.domExceptionState = function domExceptionState(value) {
  const state = states.get(value);
  return state === undefined ? undefined : ObjectFreeze({ name: state.name, message: state.message });
};
nano.isDOMException = function isDOMException(value) {
  return states.has(value);
};

nano.defineGlobal("DOMException", DOMException);
