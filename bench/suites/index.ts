// Registry of bench suites: add a suite by importing it and listing it here.
import { BenchSuite } from '../types';
import { journalSuite } from './journal';
import { marketNodeSuite } from './market-node';
import { meteringSuite } from './metering';
import { simSuite } from './sim';

export const suites: BenchSuite[] = [simSuite, meteringSuite, journalSuite, marketNodeSuite];
