"""DAOS status codes (`DER_*`): name and description of every code, for statuses DAOS prints bare.

`daos pool query` prints a failed rebuild as `Rebuild failed, status=-2001` (2.6) or
`Rebuild failed (state=done, status=-2001)` (2.8): a number only. `daos.Status.Error()` would print
`DER_IO(-2001): I / O error`; this table lets the console say the same. Generated from the
`D_FOREACH_GURT_ERR` / `D_FOREACH_DAOS_ERR` lists of src/include/daos_errno.h
(daos-stack/daos release/2.6.4-aurora, dd0adeedb552): codes are -(base + position), GURT base 1000,
DAOS base 2000; descriptions are the `#desc` stringification (hence `I / O error`).
"""

from __future__ import annotations

DER_CODES: dict[int, tuple[str, str]] = {
    -1001: ("DER_NO_PERM", "Operation not permitted"),
    -1002: ("DER_NO_HDL", "Invalid handle"),
    -1003: ("DER_INVAL", "Invalid parameters"),
    -1004: ("DER_EXIST", "Entity already exists"),
    -1005: ("DER_NONEXIST", "The specified entity does not exist"),
    -1006: ("DER_UNREACH", "Unreachable node"),
    -1007: ("DER_NOSPACE", "No space on storage target"),
    -1008: ("DER_ALREADY", "Operation already performed"),
    -1009: ("DER_NOMEM", "Out of memory"),
    -1010: ("DER_NOSYS", "Function not implemented"),
    -1011: ("DER_TIMEDOUT", "Time out"),
    -1012: ("DER_BUSY", "Device or resource busy"),
    -1013: ("DER_AGAIN", "Try again"),
    -1014: ("DER_PROTO", "Incompatible protocol"),
    -1015: ("DER_UNINIT", "Device or resource not initialized"),
    -1016: ("DER_TRUNC", "Buffer too short"),
    -1017: ("DER_OVERFLOW", "Data too long for defined data type or buffer size"),
    -1018: ("DER_CANCELED", "Operation canceled"),
    -1019: ("DER_OOG", "Out of group or member list"),
    -1020: ("DER_HG", "Transport layer mercury error"),
    -1021: ("DER_UNREG", "RPC or protocol version not registered"),
    -1022: ("DER_ADDRSTR_GEN", "Failed to generate an address string"),
    -1023: ("DER_PMIX", "PMIx layer error"),
    -1024: ("DER_IVCB_FORWARD", "Incast variable unavailable locally. Must forward"),
    -1025: ("DER_MISC", "Miscellaneous error"),
    -1026: ("DER_BADPATH", "Bad path name"),
    -1027: ("DER_NOTDIR", "Not a directory"),
    -1028: ("DER_CORPC_INCOMPLETE", "Collective RPC failed"),
    -1029: ("DER_NO_RAS_RANK", "No rank is subscribed to RAS"),
    -1030: ("DER_NOTATTACH", "Service group not attached"),
    -1031: ("DER_MISMATCH", "Version mismatch"),
    -1032: ("DER_EXCLUDED", "Rank has been excluded"),
    -1033: ("DER_NOREPLY", "User provided RPC handler did not send reply back"),
    -1034: ("DER_DOS", "Denial of service"),
    -1035: ("DER_BAD_TARGET", "Incorrect target for the RPC"),
    -1036: ("DER_GRPVER", "Group versioning mismatch"),
    -1037: ("DER_HLC_SYNC", "HLC synchronization error"),
    -1038: ("DER_NO_SHMEM", "Not enough shared memory free"),
    -1039: ("DER_ADD_METRIC_FAILED", "Failed to add the specified metric"),
    -1040: ("DER_DURATION_MISMATCH", "Duration end not paired with duration start"),
    -1041: ("DER_OP_NOT_PERMITTED", "Operation not permitted for metric type provided"),
    -1042: ("DER_EXCEEDS_PATH_LEN", "Path name exceeds permitted length"),
    -1043: ("DER_METRIC_NOT_FOUND", "Read failed because metric not found"),
    -1044: (
        "DER_SHMEM_PERMS",
        "Unable to access shared memory segment due to incompatible user or group permissions",
    ),
    -1045: ("DER_HG_FATAL", "Fatal transport layer mercury error"),
    -2001: ("DER_IO", "I / O error"),
    -2002: ("DER_FREE_MEM", "Memory free error"),
    -2003: ("DER_ENOENT", "Entity not found"),
    -2004: ("DER_NOTYPE", "Unknown object type"),
    -2005: ("DER_NOSCHEMA", "Unknown object schema"),
    -2006: ("DER_NOLOCAL", "Object is not local"),
    -2007: ("DER_STALE", "Stale pool map version"),
    -2008: ("DER_NOTLEADER", "Not service leader"),
    -2009: ("DER_TGT_CREATE", "Target create error"),
    -2010: ("DER_EP_RO", "Epoch is read only"),
    -2011: ("DER_EP_OLD", "Epoch is too old. All data have been recycled"),
    -2012: ("DER_KEY2BIG", "Key is too large"),
    -2013: ("DER_REC2BIG", "Record is too large"),
    -2014: ("DER_IO_INVAL", "I / O buffers do not match object extents"),
    -2015: ("DER_EQ_BUSY", "Event queue is busy"),
    -2016: ("DER_DOMAIN", "Domain of cluster component do not match"),
    -2017: ("DER_SHUTDOWN", "Service should shut down"),
    -2018: ("DER_INPROGRESS", "Operation now in progress"),
    -2019: ("DER_NOTAPPLICABLE", "Not applicable"),
    -2020: ("DER_NOTREPLICA", "Not a service replica"),
    -2021: ("DER_CSUM", "Checksum error"),
    -2022: ("DER_DF_INVAL", "Unsupported durable format"),
    -2023: ("DER_DF_INCOMPT", "Incompatible durable format version"),
    -2024: ("DER_REC_SIZE", "Record size error"),
    -2025: ("DER_TX_RESTART", "Transaction should restart"),
    -2026: ("DER_DATA_LOSS", "Data lost or not recoverable"),
    -2027: ("DER_OP_CANCELED", "Operation canceled"),
    -2028: ("DER_TX_BUSY", "TX is not committed"),
    -2029: ("DER_AGENT_INCOMPAT", "Agent is incompatible with libdaos"),
    -2030: ("DER_NEED_TX", "To be handled via distributed transaction"),
    -2031: ("DER_RF", "Failures exceed RF"),
    -2032: ("DER_FETCH_AGAIN", "Fetch again"),
    -2033: ("DER_TX_UNCERTAIN", "TX status is uncertain"),
    -2034: ("DER_AGENT_COMM", "Agent communication error"),
    -2035: ("DER_ID_MISMATCH", "ID mismatch"),
    -2036: ("DER_TGT_RETRY", "Retry with other target"),
    -2037: ("DER_NOTSUPPORTED", "Operation not supported"),
    -2038: ("DER_CONTROL_INCOMPAT", "One or more control plane components are incompatible"),
    -2039: ("DER_NO_SERVICE", "No service available"),
    -2040: ("DER_TX_ID_REUSED", "TX ID may be reused"),
    -2041: ("DER_UPDATE_AGAIN", "update again"),
    -2042: ("DER_NVME_IO", "NVMe I / O error"),
    -2043: ("DER_NO_CERT", "Unable to access one or more certificates"),
    -2044: ("DER_BAD_CERT", "Invalid x509 certificate"),
    -2045: ("DER_VOS_PARTIAL_UPDATE", "Same epoch partial overwrite of VOS array value disallowed"),
    -2046: ("DER_CHKPT_BUSY", "Page is temporarily read only due to checkpointing"),
    -2047: ("DER_DIV_BY_ZERO", "Division by zero"),
    -2048: ("DER_OVERLOAD_RETRY", '"retry later because of overloaded service"'),
    -2049: ("DER_NOT_RESUME", "Cannot resume former DAOS check instance"),
}


def der_name(code: int) -> str:
    """`d_errstr`: `DER_IO` for -2001, `DER_SUCCESS` for 0, `DER_UNKNOWN` for codes DAOS does not define."""
    if code == 0:
        return "DER_SUCCESS"
    known = DER_CODES.get(code)
    return known[0] if known else "DER_UNKNOWN"


def describe_status(code: int) -> str:
    """What `daos.Status.Error()` prints for a code (`%s(%d): %s` of d_errstr and d_errdesc).

    `DER_IO(-2001): I / O error`; an undefined code reads `DER_UNKNOWN(-7): Unknown error code -7`.
    """
    if code == 0:
        return "DER_SUCCESS(0): Success"
    known = DER_CODES.get(code)
    description = known[1] if known else f"Unknown error code {code}"
    return f"{der_name(code)}({code}): {description}"
