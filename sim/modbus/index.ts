// The plant's Modbus face: the register maps of sim/README.md and the Modbus TCP gateway that serves them.
export { buildDevices, busMeterScaleFactors, Device, type DeviceInfo, type DeviceRole, type MapName, type SunSpecScale } from './maps';
export { MBAP_HEADER_BYTES, mbapFrame, MbapReader, type FramingFault, type RequestHandler } from './mbap';
export {
  ILLEGAL_DATA_ADDRESS,
  ILLEGAL_DATA_VALUE,
  ILLEGAL_FUNCTION,
  MAX_PDU_BYTES,
  MAX_READ_REGISTERS,
  respond,
  SERVER_DEVICE_FAILURE,
  type ModbusUnit,
} from './pdu';
export { ModbusTcpServer } from './server';
