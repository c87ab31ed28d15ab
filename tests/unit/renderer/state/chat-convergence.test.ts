import { checkSchedules } from './convergence';

// Chatting in a few conversations: sends, streams, stops and regenerations (5,000 schedules).
checkSchedules('chatting');
