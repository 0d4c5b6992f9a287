"""Container creation requests and ALCF's presets, with their trade-offs in one line each.

The argv is exactly what the guide and tutorial type, so the command the console shows is the one
a user can copy (aurora-daos.md "Presets users need").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from daostui.core.errors import ValidationError
from daostui.daos.labels import validate_label

CONTAINER_TYPES = ("POSIX", "HDF5", "PYTHON", "SPARK", "DATABASE", "ROOT", "SEISMIC", "METEO")
CHOICES = {
    "rd_fac": ("0", "1", "2", "3", "4"),
    "cksum": ("off", "adler32", "crc16", "crc32", "crc64", "sha1", "sha256", "sha512"),
    "srv_cksum": ("on", "off"),
    "dedup": ("off", "memcmp", "hash"),
    "compression": ("off", "lz4", "deflate", "deflate1", "deflate2", "deflate3", "deflate4"),
    "rd_lvl": ("1", "2", "rank", "node"),
    "perf_domain": ("root", "group"),
}
SETTABLE_AT_CREATE = {
    "label",
    "cksum",
    "cksum_size",
    "srv_cksum",
    "dedup",
    "dedup_threshold",
    "compression",
    "encryption",
    "rd_fac",
    "rd_lvl",
    "status",
    "ec_cell_sz",
    "ec_pda",
    "rp_pda",
    "perf_domain",
}
_OCLASS_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@dataclass(slots=True)
class ContainerCreateRequest:
    pool: str
    label: str
    type: str = "POSIX"
    properties: dict[str, str] = field(default_factory=dict)
    chunk_size: int | None = None
    file_oclass: str = ""
    dir_oclass: str = ""
    oclass: str = ""
    #: The tutorial writes `--type POSIX ... --properties rd_fac:1`; ALCF's guide writes `--opt=value`.
    equals_style: bool = False

    def validate(self) -> None:
        validate_label(self.pool, "pool")
        validate_label(self.label, "container")
        if self.type.upper() not in CONTAINER_TYPES:
            raise ValidationError(f"unknown container type {self.type!r}", field="type", rule="known type")
        for key, value in self.properties.items():
            if key not in SETTABLE_AT_CREATE:
                raise ValidationError(
                    f"property {key!r} cannot be set at create", field="properties", rule="settable property"
                )
            if key in CHOICES and value not in CHOICES[key]:
                raise ValidationError(
                    f"invalid choice {value!r} for {key} (valid: {','.join(CHOICES[key])})",
                    field=key,
                    rule="valid choice",
                )
            if key == "ec_cell_sz":
                size = int(value) if value.isdigit() else -1
                if not (4096 <= size <= 1048576 and size % 32 == 0):
                    raise ValidationError(
                        "ec_cell_sz must be 4 KiB..1 MiB and a multiple of 32 bytes",
                        field=key,
                        rule="EC cell size",
                    )
            if "," in value or ":" in value:
                raise ValidationError(
                    f"property value {value!r} cannot contain ',' or ':'", field=key, rule="key:value"
                )
        if self.chunk_size is not None and self.chunk_size <= 0:
            raise ValidationError("chunk size must be positive", field="chunk_size", rule="positive")
        for name in ("file_oclass", "dir_oclass", "oclass"):
            value = getattr(self, name)
            if value and not set(value) <= _OCLASS_CHARS:
                raise ValidationError(
                    f"object class {value!r} is not like EC_16P3G32 or RP_4G1",
                    field=name,
                    rule="object class",
                )

    def argv(self) -> list[str]:
        eq = self.equals_style
        args = ["daos", "container", "create"]
        args += [f"--type={self.type}"] if eq else ["--type", self.type]
        args += [self.pool, self.label]
        if self.chunk_size:
            args.append(f"--chunk-size={self.chunk_size}")
        if self.properties:
            joined = ",".join(f"{k}:{v}" for k, v in self.properties.items())
            args += [f"--properties={joined}"] if eq else ["--properties", joined]
        for flag, value in (
            ("--file-oclass", self.file_oclass),
            ("--dir-oclass", self.dir_oclass),
            ("--oclass", self.oclass),
        ):
            if value:
                args.append(f"{flag}={value}")
        return args


@dataclass(frozen=True, slots=True)
class Preset:
    key: str
    title: str
    tradeoff: str
    properties: tuple[tuple[str, str], ...]
    chunk_size: int | None = None
    file_oclass: str = ""
    dir_oclass: str = ""
    equals_style: bool = False

    def request(self, pool: str, label: str) -> ContainerCreateRequest:
        return ContainerCreateRequest(
            pool=pool,
            label=label,
            properties=dict(self.properties),
            chunk_size=self.chunk_size,
            file_oclass=self.file_oclass,
            dir_oclass=self.dir_oclass,
            equals_style=self.equals_style,
        )


_ALCF = (("rd_fac", "3"), ("ec_cell_sz", "131072"), ("cksum", "crc32"), ("srv_cksum", "on"))
PRESETS: dict[str, Preset] = {
    "simple": Preset(
        "simple",
        "Simple (rd_fac:1)",
        "the tutorial's choice: survives one server failure, full speed, 2x less space-efficient "
        "than erasure coding",
        (("rd_fac", "1"),),
    ),
    "alcf": Preset(
        "alcf",
        "ALCF recommended (rd_fac:3, EC_16P3G32)",
        "file-per-process I/O: erasure coding survives 3 failures with ~19% overhead, checksums on",
        _ALCF,
        2097152,
        "EC_16P3G32",
        "RP_4G1",
        True,
    ),
    "shared_file": Preset(
        "shared_file",
        "Shared file (EC_16P3GX)",
        "one big file written by all ranks (MPI-IO, HDF5): spread over every target",
        _ALCF,
        2097152,
        "EC_16P3GX",
        "RP_4G1",
        True,
    ),
}
