/** The labelled input moved to the shared primitives; this name stays for the forms that import it from here. */
export { Field, type FieldProps } from '@/components/ui/input';
