"""A SunSpec meter served by pymodbus, an independent Modbus implementation, for FlareGrid's interop test.

The register map is written here from the SunSpec Information Model (common model 1, then a meter model,
then the end marker) at the base address the test asks for; nothing else is mapped, so a read anywhere else
answers exception 02 (illegal data address), as a real device does.

Usage: /usr/bin/python3 sunspec_server.py PORT UNIT BASE MODEL VALUES_JSON
"""
import asyncio
import json
import sys

from pymodbus.datastore import ModbusServerContext, ModbusSlaveContext, ModbusSparseDataBlock
from pymodbus.server import StartAsyncTcpServer

NOT_IMPLEMENTED_INT16 = 0x8000
METER_MODEL_LENGTH = 105  # models 201-204, integer points with scale factors


def text(value, words):
    data = value.encode("ascii")[: words * 2].ljust(words * 2, b"\0")
    return [data[i] << 8 | data[i + 1] for i in range(0, words * 2, 2)]


def u16(value):
    return value & 0xFFFF


def acc32(value):
    return [(value >> 16) & 0xFFFF, value & 0xFFFF]


def sunspec_map(base, model, v):
    common = text("Pymodbus Labs", 16) + text("PM-3", 16) + text("", 8) + text("3.0", 8) + text("SN-4242", 16) + [1, 0]
    points = [NOT_IMPLEMENTED_INT16] * METER_MODEL_LENGTH
    points[0] = u16(v["A"])
    points[1] = u16(v["A"])
    points[4] = u16(v["A_SF"])
    points[5] = u16(v["PhV"])
    points[6] = u16(v["PhV"])
    points[13] = u16(v["V_SF"])
    points[14] = u16(v["Hz"])
    points[15] = u16(v["Hz_SF"])
    points[16] = u16(v["W"])
    points[17] = u16(v["W"])
    points[20] = u16(v["W_SF"])
    for offset in range(36, 52, 2):
        points[offset:offset + 2] = [0, 0]  # acc32 0: not implemented
    points[36:38] = acc32(v["TotWhExp"])
    points[44:46] = acc32(v["TotWhImp"])
    points[52] = u16(v["TotWh_SF"])
    for offset in range(53, 102, 2):
        points[offset:offset + 2] = [0, 0]
    points[103:105] = [0, 0]
    registers = [0x5375, 0x6E53, 1, len(common)] + common + [model, METER_MODEL_LENGTH] + points + [0xFFFF, 0]
    return {base + i: r for i, r in enumerate(registers)}


async def main():
    port, unit, base, model = (int(a) for a in sys.argv[1:5])
    values = json.loads(sys.argv[5])
    block = ModbusSparseDataBlock(sunspec_map(base, model, values))
    slave = ModbusSlaveContext(hr=block, zero_mode=True)
    context = ModbusServerContext(slaves={unit: slave}, single=False)
    print("listening", flush=True)
    await StartAsyncTcpServer(context=context, address=("127.0.0.1", port))


asyncio.run(main())
